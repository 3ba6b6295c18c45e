// ESLint for the console's LWC bundles (templates/force-app/.../lwc) and their Jest tests.
// Run from the repository root with `-c console/eslint.config.js` (see the Makefile), so
// both folders are under ESLint's base path.
const lwcConfig = require("@salesforce/eslint-config-lwc");
const globals = require("globals");

module.exports = [
  ...lwcConfig.configs.recommended,
  {
    files: ["console/tests/**/*.js"],
    languageOptions: { globals: { ...globals.jest, ...globals.node } },
    rules: {
      // Tests feed wire adapters by hand (getRecord.emit) and raise the browser's own
      // visibilitychange Event, which is not a component event.
      "@lwc/lwc/no-unexpected-wire-adapter-usages": "off",
      "@lwc/lwc/prefer-custom-event": "off"
    }
  }
];
