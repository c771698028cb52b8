// Folder-level import rules, checked by `npm run lint` (depcruise src --config .dependency-cruiser.cjs).
// The layer directions are written once, here (the house style guide, ../shared/STYLE.md from the repo
// root, "Shape"): each layer lists the layers it may import. eslint.config.js keeps its per-file runtime
// rules (no node:* in shared/renderer, electron only in main/preload), which depcruise cannot see as well.

/** layer → the other layers it may import. Anything not listed is refused. */
const LAYERS = {
  shared: [],
  core: ['shared'],
  main: ['shared', 'core'],
  host: ['shared', 'core'],
  cli: ['shared', 'core', 'host'],
  preload: ['shared'],
  renderer: ['shared'],
};

const NAMES = Object.keys(LAYERS);
const layerRules = NAMES.map((layer) => {
  const refused = NAMES.filter((other) => other !== layer && !LAYERS[layer].includes(other));
  return {
    name: `layer-${layer}`,
    comment: `src/${layer}/ may import only ${LAYERS[layer].map((l) => `src/${l}/`).join(', ') || 'itself'} (../shared/STYLE.md, "Shape").`,
    severity: 'error',
    from: { path: `^src/${layer}/` },
    to: { path: `^src/(${refused.join('|')})/` },
  };
});

function folderCycles(layer, severity) {
  return {
    name: `no-folder-cycles-${layer}`,
    comment: `Folders in src/${layer} must not import each other in a circle.`,
    severity,
    scope: 'folder',
    from: { path: `^src/${layer}/` },
    to: { circular: true },
  };
}

module.exports = {
  forbidden: [
    ...layerRules,
    // A folder that imports another which (directly or through others) imports it back: the two are one
    // idea in two places, or a generic piece lives inside one of them (move it down: core/io, renderer/ui).
    // Every rule is an error: the tree has no folder cycles; a new one fails `npm run lint`.
    folderCycles('core', 'error'),
    folderCycles('renderer', 'error'),
    {
      // The files directly in src/core (errors, dataDir, diskFull) sit below every feature folder; a folder
      // scope check cannot see them (src/core contains its features), so this says it per file.
      // createCore.ts is the one assembler above them all.
      name: 'core-root-below-features',
      comment: 'src/core/*.ts (but createCore.ts) must not import a feature folder: every feature imports them.',
      severity: 'error',
      from: { path: '^src/core/[^/]+$', pathNot: '^src/core/(createCore\\.ts|[^/]+\\.test\\.ts)$' },
      to: { path: '^src/core/[^/]+/' },
    },
    {
      // resources/ is what the app ships that is not code: the building blocks and example templates are
      // JSON that shared/ imports (bundled by vite, resolved by tsx); nothing imports code from there.
      name: 'resources-are-data',
      comment: 'src/ may import only .json files from resources/.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^resources/', pathNot: '\\.json$' },
    },
    {
      // The renderer's own layering: app/ assembles the features; features sit on client/ and ui/.
      name: 'renderer-only-app-imports-features',
      comment: 'Only src/renderer/app/ imports src/renderer/features/ (a feature importing another is a cycle waiting to happen).',
      severity: 'error',
      from: { path: '^src/renderer/', pathNot: '^src/renderer/(app|features)/' },
      to: { path: '^src/renderer/features/' },
    },
    {
      name: 'renderer-features-not-each-other',
      comment: 'A feature imports client/, ui/ and shared/, not another feature.',
      severity: 'error',
      from: { path: '^src/renderer/features/([^/]+)/' },
      to: { path: '^src/renderer/features/', pathNot: '^src/renderer/features/$1/' },
    },
    {
      name: 'renderer-below-app',
      comment: 'Nothing below src/renderer/app/ imports it: features and ui/ get the session and transport from client/.',
      severity: 'error',
      from: { path: '^src/renderer/', pathNot: '^src/renderer/(app/|main\\.tsx$)' },
      to: { path: '^src/renderer/app/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'] },
  },
};
