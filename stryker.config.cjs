/**
 * Mutation testing with StrykerJS (`npm run test:mutation -- <group>`): deliberate small defects in the
 * sources of one module group; a mutant that no test notices is a gap in the tests. Not part of CI: a file
 * takes minutes, a whole group over an hour on two cores (`--mutate` narrows a run). Reports land in reports/mutation/ (HTML, JSON, and the incremental
 * file that makes a re-run test only the mutants whose code or tests changed).
 */
const groups = require('./stryker/groups.cjs');

const group = process.env.MUTATION_GROUP;
if (!group || !Object.hasOwn(groups, group)) {
  throw new Error(`MUTATION_GROUP must be one of: ${Object.keys(groups).join(', ')} (got ${group ?? 'nothing'})`);
}

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
module.exports = {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'stryker/jest.config.js', enableFindRelatedTests: true },
  coverageAnalysis: 'perTest',
  // Type-invalid mutants would otherwise run (swc does not type-check) and count as survivors.
  checkers: ['typescript'],
  tsconfigFile: 'stryker/tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: groups[group].mutate,
  incremental: true,
  incrementalFile: `reports/mutation/${group}.incremental.json`,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${group}.html` },
  jsonReporter: { fileName: `reports/mutation/${group}.json` },
  clearTextReporter: { allowColor: false, logTests: false },
  // The two cores: one for the test runner, one for the type checker.
  concurrency: 1,
  timeoutMS: 20000,
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: '.stryker-tmp',
  ignorePatterns: [
    'cdktf.out',
    'dist',
    'model-server/dist',
    'bench/results',
    'reports',
    'coverage',
    '.tmp',
    'outputs/*.json',
    'terraform.*.tfstate*',
  ],
  ignoreStatic: true,
};
