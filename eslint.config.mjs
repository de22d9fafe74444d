// Lint rules that keep imports pointing down the layers, protect the workflow's determinism and catch
// promises nobody awaits.
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

const SANDBOX_MESSAGE = 'workflow code runs in Temporal\'s deterministic sandbox: no Node built-ins and no I/O; do it in an activity';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', 'bin/**', 'scripts/**'] },
  {
    files: ['src/**/*.ts', 'test/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
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
