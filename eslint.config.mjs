// Lint: typescript-eslint's type-aware recommended rules, plus Pulumi's rules that catch an
// Output interpolated into a plain template literal (it renders as a warning string, not a value).
import eslint from "@eslint/js";
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "out/", ".tools/", "**/*.js", "**/*.mjs", "**/*.cjs", "apps/**/dist/"] },
    eslint.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
        // One program from the root tsconfig (it includes every linted file, policy/ too): cheaper than
        // the project service, which would also open policy/tsconfig.json as a second program.
        languageOptions: { parserOptions: { project: ["./tsconfig.json"], tsconfigRootDir: import.meta.dirname } },
        plugins: { pulumi },
        rules: {
            "pulumi/no-output-in-template-literal": "error",
            "pulumi/no-output-instance-in-template-literal": "error",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
            // Mock shapes and wire values are untyped JSON by nature.
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-unsafe-assignment": "off",
            "@typescript-eslint/no-unsafe-member-access": "off",
            "@typescript-eslint/no-unsafe-argument": "off",
            "@typescript-eslint/no-unsafe-call": "off",
            "@typescript-eslint/no-unsafe-return": "off",
        },
    },
    {
        // Constructors and builders read as an outline of named steps; a function this long hides them.
        files: ["platform/**/*.ts"],
        rules: { "max-lines-per-function": ["error", { max: 150, skipBlankLines: false, skipComments: false, IIFEs: true }] },
    },
    {
        files: ["tests/**/*.ts"],
        rules: {
            // chai's `expect(x).to.be.true` style is an expression statement.
            "@typescript-eslint/no-unused-expressions": "off",
        },
    },
);
