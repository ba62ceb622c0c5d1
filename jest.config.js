// Unit specs: `*.spec.ts` beside the code (also test harness code under test/ and tools under scripts/). No daemons, no root.
module.exports = {
  ...require('./jest.preset.js'),
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test', '<rootDir>/scripts'],
  testMatch: ['**/*.spec.ts'],
};
