// Lint rules: typescript-eslint's type-checked recommended set, imports pointing down the layers, and the
// workflow's determinism.
import { builtinModules } from 'node:module';
import path from 'node:path';
import tseslint from 'typescript-eslint';
import { layersRule } from './eslint/layers.mjs';

// Every Node built-in by its bare name (`fs`, `fs/promises`); the `node:` scheme is refused by pattern below.
const NODE_BUILTINS = builtinModules.filter((name) => !name.startsWith('node:'));

// Packages whose purpose is I/O: networking, servers, sign-in, Temporal's non-workflow SDK parts, browsers.
const IO_PACKAGES = [
  'undici',
  'fastify',
  'openid-client',
  'oidc-provider',
  '@temporalio/activity',
  '@temporalio/client',
  '@temporalio/envconfig',
  '@temporalio/testing',
  '@temporalio/worker',
  'playwright-core',
];

const SANDBOX_MESSAGE = "workflow code runs in Temporal's deterministic sandbox: no Node built-ins and no I/O; do it in an activity";

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', 'bin/**', 'scripts/**'] },
  ...tseslint.configs.recommendedTypeChecked.map((config) => ({ ...config, files: ['src/**/*.ts', 'test/**/*.ts'] })),
  {
    files: ['src/**/*.ts', 'test/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      // An abort's reason and a caught value are passed on as they came, so the caller sees the original.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
      // Activities, fastify handlers and interface methods keep their promise-returning signature even when
      // today's body happens not to wait.
      '@typescript-eslint/require-await': 'off',
      // Dropping a field by destructuring it away (`const { secret: _secret, ...rest } = value`) is the idiom.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true, argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Activity proxies and message definitions are plain functions with no `this`; destructuring them is
    // how Temporal's own samples call activities.
    files: ['src/workflows/**/*.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
  {
    // Tests read answers of servers as loosely typed JSON and assert on their shape: a wrong shape fails the
    // assertion, so the `any` rules would only add casts.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { cutover: { rules: { layers: layersRule } } },
    rules: {
      'cutover/layers': ['error', { srcDir: path.join(import.meta.dirname, 'src') }],
    },
  },
  {
    // A dev dependency: the production image is installed without it.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { name: '@temporalio/testing', message: 'a dev dependency, absent from the production image: use it from test/ only' },
      ],
    },
  },
  {
    // Which project folders a workflow may import is the layer rule's job; this one keeps packages out.
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...NODE_BUILTINS, ...IO_PACKAGES].map((name) => ({ name, message: SANDBOX_MESSAGE })),
          patterns: [
            { group: ['@fastify/*'], message: SANDBOX_MESSAGE },
            { regex: '^node:', message: SANDBOX_MESSAGE },
          ],
        },
      ],
    },
  },
);
