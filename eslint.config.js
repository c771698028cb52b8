// Lint: typescript-eslint plus the runtime rules of the house style guide (../shared/STYLE.md from the repo
// root): imports go shared ← core ← main/host/cli and shared ← renderer; a file's runtime is visible from its
// folder. Folder-level directions and cycles are checked by dependency-cruiser (.dependency-cruiser.cjs).
import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const layer = (name) => ({ regex: `^(\\.\\./)+(src/)?${name}(/|$)`, message: `This layer must not import from ${name}/ (the house style guide, ../shared/STYLE.md from the repo root).` });
const electron = { regex: '^electron$', message: 'Only src/main and src/preload may import electron.' };
const node = { regex: '^node:', message: 'This layer runs in the browser too: no node:* imports.' };
const nodeBare = {
  regex: '^(fs|path|os|child_process|crypto|http|https|net|events|url|util|stream|worker_threads)$',
  message: 'This layer runs in the browser too: no Node built-ins.',
};
const restrict = (...patterns) => ['error', { patterns }];

// The renderer's direction: app/ → features/<feature>/ → ui/ → client/ → shared. A feature imports client/,
// ui/ and its own files; only app/ imports features, so a feature opens another through the shell.
const rendererBase = [electron, node, nodeBare, layer('core'), layer('main'), layer('preload'), layer('host'), layer('cli')];
const up = (folder, message) => ({ regex: `^(\\.\\./)+${folder}(/|$)`, message });
const noApp = up('app', 'Only app/ is above the features: pass a callback or a slot from app/ instead of importing it.');
const noFeatures = up('features', 'Only app/ imports features: move what several features share to ui/ or client/.');
const rendererFeatures = readdirSync(new URL('./src/renderer/features', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
const featureBlocks = rendererFeatures.map((feature) => ({
  files: [`src/renderer/features/${feature}/**`],
  rules: {
    'no-restricted-imports': restrict(
      ...rendererBase,
      noApp,
      noFeatures,
      ...rendererFeatures
        .filter((other) => other !== feature)
        .map((other) => up(other, `features/${feature} must not import features/${other}: share it through ui/ or client/, or let app/ connect them.`)),
    ),
  },
}));

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.fixtures/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src/shared/**'],
    rules: {
      'no-restricted-imports': restrict(electron, node, nodeBare, layer('core'), layer('main'), layer('preload'), layer('renderer'), layer('host'), layer('cli'), { regex: '^react', message: 'shared/ is framework-free.' }),
    },
  },
  {
    files: ['src/core/**'],
    rules: { 'no-restricted-imports': restrict(electron, layer('main'), layer('preload'), layer('renderer'), layer('host'), layer('cli')) },
  },
  {
    files: ['src/host/**', 'src/cli/**'],
    rules: { 'no-restricted-imports': restrict(electron, layer('main'), layer('preload'), layer('renderer')) },
  },
  {
    files: ['src/main/**'],
    rules: { 'no-restricted-imports': restrict(layer('preload'), layer('renderer'), layer('host'), layer('cli')) },
  },
  {
    files: ['src/preload/**'],
    rules: { 'no-restricted-imports': restrict(node, nodeBare, layer('core'), layer('main'), layer('renderer'), layer('host'), layer('cli')) },
  },
  {
    // The security rules are pure so they are unit-tested without the Electron binary: only the thin
    // bindings (main/index.ts, security.ts, appProtocol.ts, utilityWorker.ts, preload/index.ts) import electron.
    files: ['src/main/policy/**', 'src/main/safeStorageSecrets.ts', 'src/main/**/*.test.ts'],
    rules: { 'no-restricted-imports': restrict(electron, layer('preload'), layer('renderer'), layer('host'), layer('cli')) },
  },
  {
    files: ['src/preload/bridge.ts', 'src/preload/**/*.test.ts'],
    rules: { 'no-restricted-imports': restrict(electron, node, nodeBare, layer('core'), layer('main'), layer('renderer'), layer('host'), layer('cli')) },
  },
  {
    files: ['src/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-restricted-imports': restrict(...rendererBase) },
  },
  ...featureBlocks,
  {
    files: ['src/renderer/ui/**'],
    rules: { 'no-restricted-imports': restrict(...rendererBase, noApp, noFeatures) },
  },
  {
    files: ['src/renderer/client/**'],
    rules: { 'no-restricted-imports': restrict(...rendererBase, noApp, noFeatures, up('ui', 'client/ is below ui/: stores and transport import no components.')) },
  },
);
