import { DESIRED_STATE_SCHEMA, MeshResolutionError, redisKeys, tunnelPortName, type DesiredHostState, type NetworkMesh } from '@ovs-fleet/contracts';
import { desiredHost, network } from '../planner/testing/fixtures';
import { UnreadableDesiredStateError } from './errors';
import { parseDesiredState, parseNetworkMesh, readDesiredState } from './desired-state-reader';

/** A Redis holding `keys`, recording what is read; `between` runs after each document read (a change landing then). */
function fakeRedis(keys: Map<string, string>, between: (reads: number) => void = () => undefined) {
  const read: string[] = [];
  let documentReads = 0;
  return {
    read,
    get: async (key: string) => {
      read.push(key);
      const value = keys.get(key) ?? null;
      between(++documentReads);
      return value;
    },
    mget: async (names: string[]) => (read.push(...names), names.map((key) => keys.get(key) ?? null)),
  };
}

function stored(doc: DesiredHostState, meshes: NetworkMesh[]): Map<string, string> {
  return new Map([[redisKeys.hostDesired(doc.hostId), JSON.stringify(doc)], ...meshes.map((m): [string, string] => [redisKeys.networkMesh(m.network), JSON.stringify(m)])]);
}

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

const blue = { ...network('blue', 100, 1), meshRevision: 2 };
const blueMesh = (revision: number, members = ['h1', 'h2', 'h3']): NetworkMesh => ({
  network: 'blue',
  revision,
  members: members.map((host) => ({ host, tunnelIp: `203.0.113.${host.slice(1)}` })),
});

describe('readDesiredState', () => {
  it("reads the host's own key; null when the controller wrote none", async () => {
    const { tunnels: _none, ...doc } = desiredHost({ revision: 4 });
    const redis = fakeRedis(stored(doc, []));
    expect(await readDesiredState(redis, 'h1')).toEqual({ ...doc, tunnels: [] });
    expect(await readDesiredState(redis, 'h2')).toBeNull();
    expect(redis.read).toEqual([redisKeys.hostDesired('h1'), redisKeys.hostDesired('h2')]);
  });

  it('resolves the tunnels from the meshes of its overlay networks, itself left out', async () => {
    const { tunnels: _none, ...doc } = desiredHost({ tunnelIp: '203.0.113.1', networks: [blue] });
    const redis = fakeRedis(stored(doc, [blueMesh(2)]));
    const resolved = await readDesiredState(redis, 'h1');
    expect(resolved?.tunnels.map((t) => [t.port, t.remoteHost, t.remoteIp, t.localIp, t.key, t.tag])).toEqual([
      [tunnelPortName('blue', 'h2'), 'h2', '203.0.113.2', '203.0.113.1', 100, 1],
      [tunnelPortName('blue', 'h3'), 'h3', '203.0.113.3', '203.0.113.1', 100, 1],
    ]);
    expect(redis.read).toEqual([redisKeys.hostDesired('h1'), redisKeys.networkMesh('blue')]);
  });

  it('reads again when a change came between the document and its mesh, and takes a newer mesh', async () => {
    const { tunnels: _none, ...doc } = desiredHost({ tunnelIp: '203.0.113.1', networks: [blue] });
    const keys = stored(doc, []); // the mesh is not there at the first read (network being created)
    const redis = fakeRedis(keys, (reads) => {
      if (reads === 1) keys.set(redisKeys.networkMesh('blue'), JSON.stringify(blueMesh(3, ['h1', 'h4'])));
    });
    const resolved = await readDesiredState(redis, 'h1');
    expect(resolved?.tunnels.map((t) => t.remoteHost)).toEqual(['h4']);
  });

  it('gives up with a retryable MeshResolutionError when the mesh stays older than the document says', async () => {
    const { tunnels: _none, ...doc } = desiredHost({ networks: [blue] });
    const redis = fakeRedis(stored(doc, [blueMesh(1)]));
    const error = await readDesiredState(redis, 'h1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MeshResolutionError);
    expect(error).toMatchObject({ code: 'MESH_UNRESOLVED', retryable: true, message: 'network "blue": mesh revision 1 is older than the document\'s 2' });
    expect(redis.read.filter((key) => key === redisKeys.hostDesired('h1'))).toHaveLength(3);
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['an array', '[]', /not a JSON object/],
    ['another schema', JSON.stringify({ ...desiredHost(), schema: DESIRED_STATE_SCHEMA + 1 }), /schema 3: this agent knows schema 2 only/],
    ['another host', JSON.stringify(desiredHost({ hostId: 'h2' })), /hostId "h2": this agent is host h1/],
    ['a fractional revision', JSON.stringify(desiredHost({ revision: 1.5 })), /revision 1.5 is not a whole number/],
    ['networks that are not a list', JSON.stringify({ ...desiredHost(), networks: {} }), /networks is not a list/],
  ])('refuses %s, final (not retryable)', (_what, text, message) => {
    const thrown = thrownBy(() => parseDesiredState(text, 'h1'));
    expect(thrown).toBeInstanceOf(UnreadableDesiredStateError);
    expect(thrown).toMatchObject({ code: 'DESIRED_STATE_UNREADABLE', retryable: false });
    expect((thrown as Error).message).toMatch(message);
  });

  it.each([
    ['not JSON', '[', /mesh of network blue: not JSON/],
    ['another network', JSON.stringify({ ...blueMesh(1), network: 'red' }), /mesh of network blue: network "red"/],
    ['a revision that is not a number', JSON.stringify({ ...blueMesh(1), revision: '1' }), /revision "1" is not a whole number/],
    ['members without addresses', JSON.stringify({ ...blueMesh(1), members: [{ host: 'h2' }] }), /members is not a list of \{ host, tunnelIp \}/],
  ])('refuses a mesh that is %s, final', (_what, text, message) => {
    const thrown = thrownBy(() => parseNetworkMesh(text, 'blue'));
    expect(thrown).toBeInstanceOf(UnreadableDesiredStateError);
    expect((thrown as Error).message).toMatch(message);
  });
});
