/**
 * Child process for the crash test: starts a real attach and stops dead at a chosen point
 * (before the OVS port is added, or once it is committed but before ovs-vswitchd took it),
 * printing a marker so the parent can SIGKILL it there. Arguments: one JSON object
 * {ovsdb, hostNetns, hangAt, request}.
 */
import { AttachRequest, connectPortStore, Plumber, PortStore } from '@ovs-fleet/plumbing';

interface Args {
  ovsdb: string;
  hostNetns: string;
  /** `addPorts`: the veth made, before the port row; `vswitchd`: the port row committed, before ovs-vswitchd took it. */
  hangAt: 'addPorts' | 'vswitchd';
  request: AttachRequest;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2]) as Args;
  const { store } = await connectPortStore(args.ovsdb);
  const hang = <T>(marker: string): Promise<T> => {
    process.stdout.write(`${marker}\n`);
    return new Promise<T>(() => undefined);
  };
  const hanging: PortStore = {
    hasBridge: (name) => store.hasBridge(name),
    addPorts: async (ports) => {
      if (args.hangAt === 'addPorts') return hang('veth-created');
      await store.addPorts(ports, { vswitchdTimeoutMs: 0 });
      return hang('port-added');
    },
    deletePorts: (uuids, wait) => store.deletePorts(uuids, wait),
    find: (match) => store.find(match),
    updatePorts: (updates, wait) => store.updatePorts(updates, wait),
    createBridge: (name, type) => store.createBridge(name, type),
  };
  await new Plumber({ store: hanging, hostNetns: args.hostNetns }).attach(args.request);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
