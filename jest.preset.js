// Shared Jest settings. NestJS 12 ships ES modules, so its packages go through the
// SWC transform too (see README, "Why these dependencies"), as do the ES modules that
// @fastify/static (Swagger UI's files) and light-my-request (Fastify's inject) nest under
// their own node_modules: a path is left alone only if no node_modules segment in it is listed.
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
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|@apollo|@as-integrations|graphql-ws|uid|@fastify|content-disposition|light-my-request|cookie)/)'],
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
