import { join } from 'node:path';

/** The Open vSwitch source tree the bootstrap extracts (openvswitch-source), holding its test suite. */
export const OVS_SOURCE = process.env.OVS_SOURCE_DIR ?? '/var/cache/ovs-fleet/openvswitch';
export const OVS_TESTS = join(OVS_SOURCE, 'tests');
export const IDLTEST_SCHEMA = join(OVS_TESTS, 'idltest.ovsschema');
/** OVS's own output filter: numbers UUIDs in order of appearance (<0>, <1>, ...). */
export const UUIDFILT = join(OVS_TESTS, 'uuidfilt.py');
