// Shared Jest settings. NestJS 12 ships ES modules, so its packages go through the
// SWC transform too (see README, "Why these dependencies").
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2023',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', swc] },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|@apollo|@as-integrations|graphql-ws|uid)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  moduleNameMapper: {
    '^@ovs-fleet/ovsdb$': '<rootDir>/libs/ovsdb/src/index.ts',
    '^@ovs-fleet/ovsdb/vswitch$': '<rootDir>/libs/ovsdb/src/vswitch.ts',
    '^@ovs-fleet/iproute$': '<rootDir>/libs/iproute/src/index.ts',
    '^@ovs-fleet/lab$': '<rootDir>/libs/lab/src/index.ts',
    '^@ovs-fleet/plumbing$': '<rootDir>/libs/plumbing/src/index.ts',
    '^@ovs-fleet/contracts$': '<rootDir>/libs/contracts/src/index.ts',
    '^@ovs-fleet/errors$': '<rootDir>/libs/errors/src/index.ts',
  },
};
