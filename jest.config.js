// One jest run = the whole suite. Projects split fast pure-library tests (unit) from tests that
// need the real PostgreSQL / object store (integration, e2e), which share one global setup.
const moduleNameMapper = {
  '^@archive/(metadata|signature|storage)$': '<rootDir>/libs/$1/src',
  '^@archive/(metadata|signature|storage)/(.*)$': '<rootDir>/libs/$1/src/$2',
};
// Transpile only (fast); types are checked once by `npm run typecheck` before jest runs.
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json', diagnostics: false }] };
const common = { rootDir: __dirname, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'], moduleNameMapper, transform };

module.exports = {
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/apps/**/*.spec.ts', '<rootDir>/libs/**/*.int-spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
