/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  testTimeout: 30000,
  passWithNoTests: false,
  // On 2 cores jest runs in band: a child process left by a test whose teardown timed out (that
  // test fails) would otherwise keep the run from exiting until CI's own timeout, with no verdict.
  forceExit: true,
};
