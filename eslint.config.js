// Lint: typescript-eslint plus the runtime rules of the house style guide (../shared/STYLE.md from the repo
// root): imports go shared ← core ← main/host/cli and shared ← renderer; a file's runtime is visible from its
// folder. Folder-level directions and cycles are checked by dependency-cruiser (.dependency-cruiser.cjs).
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
    rules: { 'no-restricted-imports': restrict(electron, node, nodeBare, layer('core'), layer('main'), layer('preload'), layer('host'), layer('cli')) },
  },
);
