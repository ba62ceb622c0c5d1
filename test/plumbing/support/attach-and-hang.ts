/**
 * Child process for the crash test: starts a real attach and stops dead at a chosen point
 * (before the OVS port is added, or after it), printing a marker so the parent can SIGKILL
 * it there. Arguments: one JSON object {ovsdb, hostNetns, hangAt, request}.
 */
import { AttachRequest, connectPortStore, Plumber, PortStore } from '@ovs-fleet/plumbing';

interface Args {
  ovsdb: string;
  hostNetns: string;
  hangAt: 'addPort' | 'waitLive';
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
    addPort: (port) => (args.hangAt === 'addPort' ? hang('veth-created') : store.addPort(port)),
    deletePorts: (uuids) => store.deletePorts(uuids),
    find: (match) => store.find(match),
    updatePort: (row, changes) => store.updatePort(row, changes),
    waitLive: (name, timeoutMs) => (args.hangAt === 'waitLive' ? hang('port-added') : store.waitLive(name, timeoutMs)),
    createBridge: (name, type) => store.createBridge(name, type),
    waitApplied: (cfg, timeoutMs) => store.waitApplied(cfg, timeoutMs),
  };
  await new Plumber({ store: hanging, hostNetns: args.hostNetns }).attach(args.request);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
