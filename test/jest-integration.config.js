// Integration and multi-host end-to-end suites: real ovsdb-server, ovs-vswitchd, redis,
// namespaces and containers, started and removed by the tests. Run as root, in band.
const path = require('node:path');
module.exports = {
  ...require('../jest.preset.js'),
  rootDir: path.resolve(__dirname, '..'),
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.int-spec.ts', '**/*.e2e-spec.ts'],
  testTimeout: 120000,
};
