import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '**/*.js', '**/*.mjs', 'libs/ovsdb/src/schemas/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', {
        paths: [{ name: 'child_process', importNames: ['exec', 'execSync'], message: 'No shell strings: use execFile with an argument array.' },
                { name: 'node:child_process', importNames: ['exec', 'execSync'], message: 'No shell strings: use execFile with an argument array.' }],
      }],
    },
  },
);
