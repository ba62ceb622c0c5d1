/**
 * OVS's tests/test-stream.py over libs/ovsdb: `test-stream REMOTE` exits 0 when a
 * connection to REMOTE opens within 10 s (Stream.open_block), 1 otherwise.
 */
import { OvsdbClient } from '@ovs-fleet/ovsdb';

async function main(remote: string | undefined): Promise<number> {
  if (remote === undefined) return 1;
  try {
    const client = await OvsdbClient.connect(remote, { timeoutMs: 10_000, inactivityProbeMs: 0 });
    client.close();
    return 0;
  } catch {
    return 1;
  }
}

void main(process.argv[2]).then((code) => process.exit(code));
