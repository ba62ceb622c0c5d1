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
        // A library is used through its entry points, never its files: what they export is its API.
        patterns: [
          { group: ['@ovs-fleet/*/*', '!@ovs-fleet/ovsdb/vswitch'], message: "Deep import into a library: import from '@ovs-fleet/NAME' (generated OVS models: '@ovs-fleet/ovsdb/vswitch')." },
          { regex: '^(\\.\\./)+libs/', message: "Relative import into a library: import from '@ovs-fleet/NAME'." },
        ],
      }],
    },
  },
);
