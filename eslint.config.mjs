// ESLint: typescript-eslint's recommended and type-checked rules over lib/, scripts/, bench/ and test/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // wasm/ holds AssemblyScript, a TypeScript dialect that its own compiler checks.
  { ignores: ['dist/', 'node_modules/', '.venv/', 'checkpoints/', 'output/', 'data/', '.scratch/', 'notebooks/', 'wasm/', 'build/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    rules: {
      // Numbers and arrays print as the messages mean them ("[3,3,8,16]"); `never` is an exhaustiveness check.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowArray: true, allowNever: true }],
      // Destructuring a field away to keep the rest is how an object is copied without it.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  { files: ['**/*.mjs', '**/*.js'], ...tseslint.configs.disableTypeChecked },
);
