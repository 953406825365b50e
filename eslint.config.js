// ESLint (flat config) for the project's JavaScript: `npm run lint`, run by `make test` before
// the unit tests, with --max-warnings 0. The page's scripts are plain browser scripts (no
// bundler, no modules) sharing a few globals; the unit tests and this file are CommonJS on Node.
'use strict';

const js = require('@eslint/js');
const globals = require('globals');

module.exports = [
  {
    // Installed, built or collected files, and the virtualenvs: not ours to lint.
    ignores: ['node_modules/', 'staticfiles/', 'var/', 'test-artifacts/', '.venv/', '.venv-mlserver/'],
  },
  js.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Unused arguments stay when a callback's signature is fixed (d3, Azle's handlers), and
      // the page's ES5 syntax has no catch without a binding.
      'no-unused-vars': ['error', { args: 'none', caughtErrors: 'none' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // The page's scripts, loaded in order by templates/trainee/scripts.html (and the admin's
    // progress script): the catalog's gettext, d3, azle.js's az and common.js's fp are globals.
    files: ['static/**/*.js'],
    languageOptions: {
      // ES5 syntax, one style across the page's files; the few later built-ins they use are
      // listed below (every browser the page supports has them).
      ecmaVersion: 5,
      sourceType: 'script',
      globals: {
        ...globals.browser,
        az: 'readonly', fp: 'readonly', d3: 'readonly',
        gettext: 'readonly', ngettext: 'readonly', interpolate: 'readonly',
        Promise: 'readonly', Intl: 'readonly',
        // azle.js exports createAzle under Node for its unit tests.
        module: 'readonly',
      },
    },
  },
  {
    // The d3 bundle's entry, an ES module esbuild reads.
    files: ['frontend/**/*.js'],
    languageOptions: { sourceType: 'module' },
  },
  {
    files: ['tests/js/**/*.js', 'eslint.config.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'commonjs', globals: globals.node },
  },
];
