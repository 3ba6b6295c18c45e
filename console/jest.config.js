// Jest for the console's LWC bundles, which live in templates/force-app (deployed); the
// tests live here (never deployed). sfdx-lwc-jest resolves c/* through sfdx-project.json.
const { jestConfig } = require("@salesforce/sfdx-lwc-jest/config");

module.exports = {
  ...jestConfig,
  testMatch: ["<rootDir>/tests/**/*.test.js"],
  setupFilesAfterEnv: [...(jestConfig.setupFilesAfterEnv || []), "<rootDir>/jest.setup.js"]
};
