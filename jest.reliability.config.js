/**
 * Reliability tests (`npm run test:reliability`): the built server (model-server/dist/main.js) spawned on
 * loopback ports under overload, bad traffic, broken bundles and SIGTERM. Kept out of the default run
 * (jest.config.js) because each file starts real server processes; the whole suite takes a few minutes.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/reliability'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // Builds model-server once so the tests run the code as the image runs it.
  globalSetup: '<rootDir>/test/reliability/support/global-setup.ts',
  // The servers under test need the second core; one test file at a time.
  maxWorkers: 1,
  testTimeout: 180000,
};
