import { join } from 'node:path';
import { OVS_TESTS } from './harness/paths';

/** Ours: test-ovsdb.py's and test-stream.py's command lines over libs/ovsdb. */
export const OUR_IDL_DRIVER = join(__dirname, 'driver/test-driver');
export const OUR_STREAM_DRIVER = join(__dirname, 'driver/test-stream');

/** OVS's own, run by /usr/bin/python3, which has the Python bindings Debian installs (python3-openvswitch). */
export const TEST_OVSDB_PY = join(OVS_TESTS, 'test-ovsdb.py');
export const TEST_STREAM_PY = join(OVS_TESTS, 'test-stream.py');
