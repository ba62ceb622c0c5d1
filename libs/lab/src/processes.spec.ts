import { findOwnedProcesses, mentionsDir, ProcessInfo, processesInNetns } from './processes';

const proc = (pid: number, cmdline: string[], cwd = '/', netns = 'net:[1]'): ProcessInfo => ({ pid, cmdline, cwd, netns });

describe('lab process ownership', () => {
  const dir = '/run/ovs-fleet-lab/ab';
  const processes = [
    proc(10, ['ovsdb-server', '/run/ovs-fleet-lab/ab/h1/conf.db', '--pidfile=/run/ovs-fleet-lab/ab/h1/ovsdb.pid']),
    proc(11, ['ovsdb-server', '/run/ovs-fleet-lab/abc/h1/conf.db']),
    proc(12, ['redis-server 198.51.100.1:6379'], '/run/ovs-fleet-lab/ab'),
    proc(13, ['redis-server 198.51.100.65:6379'], '/run/ovs-fleet-lab/abc'),
    proc(14, ['podman', 'system', 'service', 'unix:///run/ovs-fleet-lab/ab/podman.sock']),
    proc(15, ['sleep', 'infinity'], '/', 'net:[77]'),
    proc(16, ['sleep', 'infinity'], '/run/ovs-fleet-lab/ab (deleted)'),
    proc(17, ['vim', '/run/ovs-fleet-lab/abx']),
  ];

  it('matches paths inside the run dir, never a run dir that merely shares its prefix', () => {
    expect(processes.filter((p) => mentionsDir(p, dir)).map((p) => p.pid)).toEqual([10, 12, 14, 16]);
  });

  it('adds the processes living in the lab\'s namespaces', () => {
    expect(findOwnedProcesses(processes, dir, new Set(['net:[77]'])).map((p) => p.pid)).toEqual([10, 12, 14, 15, 16]);
    expect(processesInNetns(processes, new Set(['net:[77]'])).map((p) => p.pid)).toEqual([15]);
  });

  it('never includes the calling process', () => {
    expect(findOwnedProcesses([proc(process.pid, ['node', dir + '/x'])], dir, new Set())).toEqual([]);
  });
});
