/** Record factories for the desired-state specs: defaults that pass validation, overridden per test. */
import type { AttachmentRecord, HostRecord, NetworkRecord, OperatorResources } from '@ovs-fleet/contracts';

const CREATED = '2026-12-01T00:00:00.000Z';

export function hostRecord(id: string, overrides: Partial<HostRecord> = {}): HostRecord {
  return {
    id,
    tunnelIp: '203.0.113.10',
    underlayMtu: 1500,
    labels: {},
    integrationBridge: 'br-int',
    datapathType: 'netdev',
    createdAt: CREATED,
    updatedAt: CREATED,
    ...overrides,
  };
}

export function networkRecord(name: string, overrides: Partial<NetworkRecord> = {}): NetworkRecord {
  return {
    name,
    type: 'vxlan',
    segmentId: 100,
    subnets: [{ cidr: '198.18.0.0/24', gateway: '198.18.0.1', allocationPools: [] }],
    mtu: 1450,
    mtuDerived: true,
    hosts: { all: true },
    providerBridge: null,
    createdAt: CREATED,
    updatedAt: CREATED,
    ...overrides,
  };
}

export function attachmentRecord(id: string, overrides: Partial<AttachmentRecord> = {}): AttachmentRecord {
  return {
    id,
    network: 'blue',
    host: 'h1',
    container: { dockerContainer: `web-${id}` },
    ifname: 'eth1',
    mac: '02:00:00:00:00:01',
    addresses: ['198.18.0.5/24'],
    gateway: true,
    routes: [],
    createdAt: CREATED,
    ...overrides,
  };
}

export function noOperatorResources(): OperatorResources {
  return { bridges: [], ports: [], tunnels: [] };
}
