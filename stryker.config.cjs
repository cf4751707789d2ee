/**
 * Mutation testing with StrykerJS (`npm run test:mutation -- <group>`): deliberate small defects in the
 * sources of one module group; a mutant that no test notices is a gap in the tests. Not part of CI: a file
 * takes a minute or two, a whole group tens of minutes on two cores (`--mutate` narrows a run). Reports land in reports/mutation/ (HTML, JSON, and the incremental
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
  // No TypeScript checker: it took most of the CPU (a run with it: 74 mutants in 172 s; without it and with
  // two test runners: 72 s). Type-invalid mutants run under swc instead, and scripts/mutation-typecheck.ts
  // (run by scripts/mutation.sh after Stryker) marks those the compiler rejects as CompileError afterwards.
  checkers: [],
  mutate: groups[group].mutate,
  incremental: true,
  incrementalFile: `reports/mutation/${group}.incremental.json`,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${group}.html` },
  jsonReporter: { fileName: `reports/mutation/${group}.json` },
  clearTextReporter: { allowColor: false, logTests: false },
  // Two test runners, one per core.
  concurrency: 2,
  // Added to 1.5 x a mutant's tests' own time: a mutant that loops forever costs this much of one runner.
  timeoutMS: 10000,
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
