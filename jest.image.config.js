/**
 * Container contract tests against the serving image (npm run test:image, which builds the image first).
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/image'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // Containers compete for the machine's 2 cores: one test file at a time keeps the timings meaningful.
  maxWorkers: 1,
  testTimeout: 120000,
};
