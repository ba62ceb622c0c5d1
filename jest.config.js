// Unit specs: `*.spec.ts` beside the code. No daemons, no root needed.
module.exports = {
  ...require('./jest.preset.js'),
  roots: ['<rootDir>/apps', '<rootDir>/libs'],
  testMatch: ['**/*.spec.ts'],
};
