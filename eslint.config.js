// ESLint (flat config): typescript-eslint's type-aware recommended set, plus a few rules that catch bugs this
// code base is prone to, minus the ones that fight the house style (each with the reason). Formatting is
// Prettier's job (`npm run format`): eslint-config-prettier, last, turns off every rule that would fight it.
// Layers and import circles are dependency-cruiser's job (.dependency-cruiser.cjs, `npm run lint:deps`).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'chaos-reports/', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Fault and engine methods are `async` because their interface returns a Promise, even when one
      // implementation has nothing to await (terminate-instances' plan, progress.stop): not a bug.
      // The async bugs that matter are caught by no-floating-promises and no-misused-promises (kept).
      '@typescript-eslint/require-await': 'off',
      // Rollbacks run in `finally`: `return promise` inside try/catch/finally skips them on rejection.
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      // A new fault kind or event type must be handled everywhere a union is switched on.
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      // Type-only imports are written `import type` (the house style), so a reader, and dependency-cruiser's
      // src-not-to-dev-dep rule (which lets type-only imports through), can tell a type edge from a runtime one.
      // `import('ora').Ora` in a type stays allowed: the house style for naming a lazily imported module's type.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      // The same convention as tsc's noUnusedParameters: a leading underscore marks a deliberately unused name.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // Engines emit and renderers return strings; only the edge writes to stdout/stderr, through its io streams.
    files: ['src/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    // Tests poke at parsed JSON output and XML (`any` on purpose); the assertion that follows is the check.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Plain JavaScript (bin/, bench/probe/, test/fixtures/, this file) and vitest.config.ts are not part of
    // the TypeScript project (tsconfig.json): lint them without type information.
    files: ['**/*.{js,mjs,cjs}', 'vitest.config.ts'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  prettier,
);
