// Layering is enforced here, not by hope: see ../shared design notes in docs/architecture.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'gauntlet-results/**', '.gauntlet/**', 'test-output/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Verdicts and renderers are pure: timeline in, verdicts/files out.
    files: ['lib/assert/**/*.ts', 'lib/metrics/**/*.ts', 'lib/scenario/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['undici', '@kubernetes/client-node', 'node:http', 'node:https', 'node:net'],
              message: 'pure module: no network here',
            },
            {
              group: ['**/chaos/**', '**/reports/**', '**/cli/**', '**/run/**'],
              message: 'lower layer may not import a higher one',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['reports/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['undici', '@kubernetes/client-node', 'node:http', 'node:https', 'node:net'],
              message: 'reporters are pure renderers',
            },
            {
              group: ['**/chaos/**', '**/lib/run/**', '**/lib/load/**', '**/lib/cli/**'],
              message: 'reporters depend on result types only',
            },
          ],
        },
      ],
    },
  },
  {
    // The fixtures are the thing under test; a user's real stack replaces them.
    files: ['infra-fixtures/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/lib/**', '**/chaos/**', '**/reports/**', '**/scenarios/**'],
              message: 'infra-fixtures must not import gauntlet',
            },
          ],
        },
      ],
    },
  },
);
