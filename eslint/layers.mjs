// The source tree's layers, bottom to top, and the ESLint rule that keeps imports pointing down.
// A folder may import its own files, the layers in `may`, and the layers in `types` as types only
// (`import type`, `export type`): those vanish at compile time, so they create no run-time edge.
// Only relative imports are checked here; packages and Node built-ins are the workflow rule's concern.
import path from 'node:path';

const LAYERS = [
  { name: 'ground', folders: ['runbook', 'errors.ts'], may: [] },
  { name: 'net', folders: ['net'], may: ['ground'] },
  { name: 'signing', folders: ['signing'], may: ['ground'] },
  { name: 'identity', folders: ['identity'], may: ['ground', 'net'] },
  { name: 'codec', folders: ['codec'], may: ['ground', 'net', 'identity'] },
  { name: 'payca', folders: ['payca'], may: ['ground', 'net'] },
  { name: 'plan', folders: ['plan'], may: ['ground', 'net', 'signing'] },
  { name: 'simulator', folders: ['simulator'], may: ['ground', 'net', 'payca'] },
  { name: 'workflows', folders: ['workflows'], may: ['ground', 'net', 'signing', 'plan'], types: ['payca', 'activities'] },
  { name: 'activities', folders: ['activities'], may: ['ground', 'net', 'signing', 'payca', 'plan'], types: ['workflows'] },
  { name: 'temporal', folders: ['temporal'], may: ['ground', 'codec', 'workflows'] },
  {
    name: 'operations',
    folders: ['operations'],
    may: ['ground', 'net', 'signing', 'plan', 'workflows', 'temporal'],
    types: ['activities'],
  },
  {
    name: 'worker',
    folders: ['worker'],
    may: ['ground', 'net', 'signing', 'identity', 'codec', 'payca', 'plan', 'workflows', 'activities', 'temporal'],
  },
  { name: 'room', folders: ['room'], may: ['ground', 'net', 'signing', 'identity', 'plan', 'workflows', 'temporal', 'operations'] },
  {
    name: 'dev',
    folders: ['dev'],
    may: [
      'ground',
      'net',
      'signing',
      'identity',
      'codec',
      'payca',
      'plan',
      'simulator',
      'workflows',
      'activities',
      'temporal',
      'operations',
      'worker',
      'room',
    ],
  },
  {
    name: 'client',
    folders: ['client'],
    may: [
      'ground',
      'net',
      'signing',
      'identity',
      'codec',
      'payca',
      'plan',
      'simulator',
      'workflows',
      'activities',
      'temporal',
      'operations',
      'worker',
      'room',
      'dev',
    ],
  },
];

// The table itself must point down: a layer may import at run time only layers listed before it.
for (const [index, layer] of LAYERS.entries()) {
  const below = new Set(LAYERS.slice(0, index).map((l) => l.name));
  const above = layer.may.filter((name) => !below.has(name));
  if (above.length > 0) throw new Error(`eslint/layers.mjs: ${layer.name} may import ${above.join(', ')}, which is not below it`);
}

/** The layer a path under src/ belongs to, or undefined outside src/ or in a folder no layer names. */
function layerOf(srcDir, file) {
  const relative = path.relative(srcDir, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  const top = relative.split(path.sep)[0];
  return LAYERS.find((layer) => layer.folders.includes(top));
}

function isTypeOnly(node) {
  if (node.importKind === 'type' || node.exportKind === 'type') return true;
  // `import { type A, type B } from …` is erased too: nothing of it is left at run time.
  const specifiers = node.specifiers ?? [];
  return (
    node.type === 'ImportDeclaration' &&
    specifiers.length > 0 &&
    specifiers.every((specifier) => specifier.type === 'ImportSpecifier' && specifier.importKind === 'type')
  );
}

function describeMay(layer) {
  const may = layer.may.length > 0 ? layer.may.join(', ') : 'nothing outside itself';
  const types = layer.types?.length ? `; types only from ${layer.types.join(', ')}` : '';
  return `${may}${types}`;
}

export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'imports under src/ point down the layers listed in eslint/layers.mjs (docs/architecture.md)' },
    schema: [{ type: 'object', properties: { srcDir: { type: 'string' } }, required: ['srcDir'], additionalProperties: false }],
    messages: {
      upward:
        '{{from}} may not import {{to}} ({{specifier}}): imports point down the layers. {{from}} may import {{may}} (docs/architecture.md, Layers)',
      typesOnly: '{{from}} may import {{to}} as types only ({{specifier}}): write `import type`',
      unplaced: '{{file}} is in no layer: add its folder to a layer in eslint/layers.mjs and docs/architecture.md',
    },
  },
  create(context) {
    const srcDir = context.options[0].srcDir;
    const file = context.filename;
    const from = layerOf(srcDir, file);
    if (from === undefined) {
      const relative = path.relative(srcDir, file);
      if (!relative.startsWith('..') && !path.isAbsolute(relative)) {
        return { Program: (node) => context.report({ node, messageId: 'unplaced', data: { file: relative } }) };
      }
      return {};
    }

    function check(node, source, typeOnly) {
      if (source?.type !== 'Literal' || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const target = path.resolve(path.dirname(file), source.value);
      const to = layerOf(srcDir, target);
      if (to === undefined || to === from) return;
      if (from.may.includes(to.name)) return;
      const data = { from: from.name, to: to.name, specifier: source.value, may: describeMay(from) };
      if (from.types?.includes(to.name)) {
        if (!typeOnly) context.report({ node, messageId: 'typesOnly', data });
        return;
      }
      context.report({ node, messageId: 'upward', data });
    }

    return {
      ImportDeclaration: (node) => check(node, node.source, isTypeOnly(node)),
      ExportNamedDeclaration: (node) => check(node, node.source, isTypeOnly(node)),
      ExportAllDeclaration: (node) => check(node, node.source, isTypeOnly(node)),
      ImportExpression: (node) => check(node, node.source, false),
    };
  },
};
