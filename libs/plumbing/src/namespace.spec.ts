import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '@ovs-fleet/iproute';
import { ContainerNotFoundError, inspectContainer } from './docker-api';
import { assertNamespaceRef, resolveNamespace, targetOf } from './namespace';
import { NamespaceRef } from './types';

describe('assertNamespaceRef', () => {
  it.each<[string, unknown]>([
    ['a docker name', { dockerContainer: 'web1' }],
    ['a docker id with a socket', { dockerContainer: 'f'.repeat(64), dockerSocket: '/run/podman/podman.sock' }],
    ['a pid', { pid: 1234 }],
    ['a /proc path', { path: '/proc/1234/ns/net' }],
    ['a /var/run/netns path', { path: '/var/run/netns/web1' }],
    ['a /run/netns path', { path: '/run/netns/web1' }],
    ['a named namespace', { netns: 'web1' }],
  ])('accepts %s', (_what, ref) => {
    expect(assertNamespaceRef(ref)).toEqual(ref);
  });

  it.each<[string, unknown, string]>([
    ['nothing', undefined, 'container'],
    ['an unknown kind', { name: 'web1' }, 'container'],
    ['two kinds at once', { pid: 1, netns: 'x' }, 'container'],
    ['a docker name with ;', { dockerContainer: 'web1;reboot' }, 'container.dockerContainer'],
    ['a relative docker socket', { dockerContainer: 'web1', dockerSocket: 'docker.sock' }, 'container.dockerSocket'],
    ['pid 0', { pid: 0 }, 'container.pid'],
    ['a pid as text', { pid: '12' }, 'container.pid'],
    ['some other path', { path: '/etc/passwd' }, 'container.path'],
    ['a path escaping /run/netns', { path: '/run/netns/../../etc/passwd' }, 'container.path'],
    ['a /proc path of another namespace kind', { path: '/proc/12/ns/mnt' }, 'container.path'],
    ['a namespace name with /', { netns: 'a/b' }, 'container.netns'],
  ])('refuses %s', (_what, ref, field) => {
    let error: unknown;
    try {
      assertNamespaceRef(ref);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
  });

  it('maps paths to targets', () => {
    expect(targetOf({ path: '/proc/77/ns/net' })).toEqual({ kind: 'pid', pid: 77, path: '/proc/77/ns/net' });
    expect(targetOf({ path: '/run/netns/web1' })).toEqual({ kind: 'netns', name: 'web1', path: '/var/run/netns/web1' });
  });
});

describe('resolveNamespace', () => {
  it('resolves a live PID to its namespace, with a derived id and the namespace inode', async () => {
    const resolved = await resolveNamespace({ pid: process.pid });
    expect(resolved).toMatchObject({ id: `pid-${process.pid}`, typed: String(process.pid), target: { kind: 'pid', pid: process.pid } });
    expect(resolved.netnsInode).toBeGreaterThan(0);
    expect((await resolveNamespace({ pid: process.pid }, { containerId: 'mine' })).id).toBe('mine');
  });

  it('refuses a namespace that does not exist', async () => {
    await expect(resolveNamespace({ netns: 'ovs-fleet-no-such-namespace' })).rejects.toThrow(/does not exist/);
  });

  it('uses the engine\'s full id and name for docker refs, and refuses stopped or unknown containers', async () => {
    const inspect = jest.fn(async (name: string) => {
      if (name === 'gone') throw new ContainerNotFoundError(name);
      return { id: 'c'.repeat(64), name: 'web1', pid: name === 'stopped' ? 0 : process.pid, running: name !== 'stopped' };
    });
    const resolved = await resolveNamespace({ dockerContainer: 'web1', dockerSocket: '/x.sock' }, { inspect });
    expect(resolved).toMatchObject({ id: 'c'.repeat(64), name: 'web1', typed: 'web1', target: { kind: 'pid', pid: process.pid } });
    expect(inspect).toHaveBeenCalledWith('web1', '/x.sock');
    await expect(resolveNamespace({ dockerContainer: 'stopped' }, { inspect })).rejects.toThrow(/not running/);
    await expect(resolveNamespace({ dockerContainer: 'gone' }, { inspect })).rejects.toThrow(ValidationError);
    await expect(resolveNamespace({ dockerContainer: 'gone;x' } as NamespaceRef, { inspect })).rejects.toThrow(ValidationError);
    expect(inspect).toHaveBeenCalledTimes(3);
  });
});

describe('inspectContainer over a unix socket', () => {
  let dir: string;
  let server: Server;
  const paths: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ovs-fleet-plumbing-'));
    server = createServer((req, res) => {
      paths.push(req.url ?? '');
      if (req.url === '/containers/web1/json') {
        res.end(JSON.stringify({ Id: 'a'.repeat(64), Name: '/web1', State: { Pid: 4242, Running: true } }));
      } else if (req.url === '/containers/broken/json') {
        res.end('{"Id": 5}');
      } else {
        res.statusCode = 404;
        res.end('{"message":"no such container"}');
      }
    });
    await new Promise<void>((resolve) => server.listen(join(dir, 'api.sock'), resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads id, name and PID', async () => {
    expect(await inspectContainer('web1', join(dir, 'api.sock'))).toEqual({ id: 'a'.repeat(64), name: 'web1', pid: 4242, running: true });
  });

  it('tells an unknown container from a broken answer and an absent engine', async () => {
    await expect(inspectContainer('nope', join(dir, 'api.sock'))).rejects.toBeInstanceOf(ContainerNotFoundError);
    await expect(inspectContainer('broken', join(dir, 'api.sock'))).rejects.toThrow(/unexpected answer/);
    await expect(inspectContainer('web1', join(dir, 'absent.sock'))).rejects.toThrow(/cannot reach the container engine/);
  });
});
