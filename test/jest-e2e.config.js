/**
 * e2e suite: every test talks HTTP to a real server process (the built app) backed by a real
 * database. TEST_TARGET picks the backend: `embedded` (SQLite + in-process queue) or `mariadb`
 * (MariaDB + Redis, from TEST_DATABASE_URL and TEST_REDIS_URL).
 * @type {import('jest').Config}
 */
module.exports = {
  rootDir: '..',
  testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  testEnvironment: 'node',
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
};
