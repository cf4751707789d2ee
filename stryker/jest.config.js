/**
 * The jest config Stryker runs: the tests of the group being mutated (`tests` in stryker/groups.cjs, picked by
 * MUTATION_GROUP), not the whole suite. `roots` also holds the sources: with `coverageAnalysis: perTest`,
 * Stryker asks jest for the tests related to a mutated file, and jest can only follow imports from tests into
 * files under its roots.
 */
const base = require('../jest.config.js');
const groups = require('./groups.cjs');

const group = groups[process.env.MUTATION_GROUP ?? ''];
if (!group) throw new Error(`MUTATION_GROUP must be one of: ${Object.keys(groups).join(', ')}`);

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  rootDir: '..',
  roots: ['<rootDir>/test', '<rootDir>/src', '<rootDir>/model-server/src', '<rootDir>/stacks'],
  testMatch: group.tests.map((glob) => `<rootDir>/${glob}`),
};
