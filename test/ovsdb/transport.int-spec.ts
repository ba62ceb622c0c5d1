/**
 * Transports against real ovsdb-servers: passive listeners that servers dial into
 * (tcp, unix, ssl) and TLS with certificates made by ovs-pki.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OvsdbClient, OvsdbClientListener, OvsdbConnectionError } from '@ovs-fleet/ovsdb';
import { OvsPki, PkiCertificate } from '../support/ovs-pki';
import { OvsdbTestServer } from '../support/ovsdb-server';

const DB = 'Open_vSwitch';

function nextClient(listener: OvsdbClientListener, timeoutMs = 15_000): Promise<OvsdbClient> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no server dialed in within ${timeoutMs} ms`)), timeoutMs);
    listener.once('client', (client) => {
      clearTimeout(timer);
      resolve(client);
    });
  });
}

describe('passive listeners: ovsdb-server dials in', () => {
  it.each(['ptcp:0:127.0.0.1', 'punix'])('accepts a server on %s and talks OVSDB to it', async (kind) => {
    let server: OvsdbTestServer | undefined;
    let listener: OvsdbClientListener | undefined;
    let client: OvsdbClient | undefined;
    const scratch = mkdtempSync(join(tmpdir(), 'ovs-fleet-listen-'));
    try {
      const remote = kind === 'punix' ? `punix:${join(scratch, 'listen.sock')}` : kind;
      listener = await OvsdbClientListener.listen(remote);
      const active = listener.boundRemote.replace(/^ptcp:(\d+):(.*)$/, 'tcp:$2:$1').replace(/^punix:/, 'unix:');
      const dialed = nextClient(listener);
      server = await OvsdbTestServer.start({ remotes: [active] });
      client = await dialed;
      expect((await client.listDbs()).sort()).toEqual(['Open_vSwitch', '_Server']);
      await server.vsctl(['add-br', 'dialed', '--', 'set', 'bridge', 'dialed', 'datapath_type=netdev']);
      const [select] = await client.transact(DB, [{ op: 'select', table: 'Bridge', where: [['name', '==', 'dialed']], columns: ['name'] }]);
      expect(select.rows).toEqual([{ name: 'dialed' }]);
    } finally {
      client?.close();
      await listener?.close();
      await server?.dispose();
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe('TLS with ovs-pki certificates', () => {
  let pki: OvsPki;
  let otherPki: OvsPki;
  let serverCert: PkiCertificate;
  let clientCert: PkiCertificate;
  let server: OvsdbTestServer;

  beforeAll(async () => {
    [pki, otherPki] = await Promise.all([OvsPki.create(), OvsPki.create()]);
    serverCert = await pki.issue('ovsdb-server');
    clientCert = await pki.issue('controller');
    server = await OvsdbTestServer.start({ ssl: serverCert });
  });

  afterAll(async () => {
    await server?.dispose();
    pki?.dispose();
    otherPki?.dispose();
  });

  it('connects with a client certificate and verifies the server against the CA (not the host name)', async () => {
    const client = await OvsdbClient.connect(server.sslRemote, { tls: clientCert });
    try {
      expect(await client.listDbs()).toContain(DB);
      expect(await client.echo(['over tls'])).toEqual(['over tls']);
    } finally {
      client.close();
    }
  });

  it('refuses a server whose certificate does not chain to our CA', async () => {
    const stranger = await otherPki.issue('stranger');
    const error = await OvsdbClient.connect(server.sslRemote, { tls: { ...clientCert, caCert: stranger.caCert } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OvsdbConnectionError);
    expect((error as Error).message).toMatch(/connect failed/);
  });

  it('is refused by the server when our certificate is from another CA', async () => {
    const stranger = await otherPki.issue('stranger2');
    // The handshake may complete on our side before the server rejects us: the first request then fails.
    const attempt = async () => {
      const client = await OvsdbClient.connect(server.sslRemote, { tls: { ...stranger, caCert: pki.caCert } });
      try {
        return await client.listDbs();
      } finally {
        client.close();
      }
    };
    await expect(attempt()).rejects.toBeInstanceOf(OvsdbConnectionError);
  });

  it('requires TLS credentials for ssl: remotes', async () => {
    await expect(OvsdbClient.connect(server.sslRemote)).rejects.toThrow(/needs TLS credentials/);
  });

  it('a pssl listener accepts a server dialing in over TLS', async () => {
    const listener = await OvsdbClientListener.listen('pssl:0:127.0.0.1', { tls: clientCert });
    let dialer: OvsdbTestServer | undefined;
    let client: OvsdbClient | undefined;
    try {
      const dialed = nextClient(listener);
      dialer = await OvsdbTestServer.start({ ssl: serverCert, remotes: [`ssl:127.0.0.1:${listener.port}`] });
      client = await dialed;
      expect(await client.listDbs()).toContain(DB);
    } finally {
      client?.close();
      await listener.close();
      await dialer?.dispose();
    }
  });
});
