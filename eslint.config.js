// Lint with warnings as errors (npm run lint passes --max-warnings 0).
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'coverage/', '.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name=/^(it|test|describe)$/][callee.property.name='only']", message: 'No focused tests: .only skips the rest of the suite.' },
      ],
    },
  },
  {
    // The domain is pure: the station and the server run the same rules.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['react', 'react-*', 'rxdb', 'rxdb/*', 'dexie', 'node:*', 'fs', 'path', 'crypto'], message: 'src/domain is pure: no React, RxDB, Dexie or Node APIs.' },
        { group: ['**/db/*', '**/sync/*', '**/features/*', '**/station/*', '**/app/*', '**/scan/*', '**/sync-server/**'], message: 'src/domain imports only schemas/ and itself.' },
      ] }],
      'no-restricted-globals': ['error', 'window', 'document', 'indexedDB', 'localStorage', 'fetch', 'navigator', 'process'],
    },
  },
  {
    // The station never imports the server.
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/domain/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/sync-server/**'], message: 'src/ never imports sync-server/.' }] }],
    },
  },
  {
    // Everything in src/sync goes through the Transport wrapper so tests can swap it.
    files: ['src/sync/**/*.ts'],
    ignores: ['src/sync/transport.ts'],
    rules: {
      'no-restricted-globals': ['error', 'fetch', 'setTimeout', 'setInterval', 'XMLHttpRequest', 'EventSource'],
    },
  },
  {
    files: ['tests/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
);
