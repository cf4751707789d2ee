/**
 * The jest config Stryker runs. Same tests as `npm test`, but `roots` also holds the sources: with
 * `coverageAnalysis: perTest`, Stryker asks jest for the tests related to a mutated file, and jest can only
 * follow imports from tests into files under its roots (with `roots: [test]` most server tests are missed).
 */
const base = require('../jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  rootDir: '..',
  roots: ['<rootDir>/test', '<rootDir>/src', '<rootDir>/model-server/src', '<rootDir>/stacks'],
};
