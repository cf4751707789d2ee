/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Container and long reliability runs have their own scripts (npm run test:image, test:reliability).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/image/', '<rootDir>/test/reliability/'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
  // One worker is faster than two on 2-core machines like the CI runners (measured).
  maxWorkers: 1,
  testTimeout: 30000,
};
