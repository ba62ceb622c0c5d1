import { RunOptions } from '@ovs-fleet/iproute';
import { countingRunner, ipBatchIn, ipBatchInTarget, parseJsonLines, prepareIpBatchInTarget, prepareSysctlInTarget } from './runner';

function recorder() {
  const calls: { file: string; args: readonly string[]; input?: string }[] = [];
  const runner = countingRunner(async (file: string, args: readonly string[], options?: RunOptions) => {
    calls.push({ file, args, input: options?.input });
    return { stdout: '', stderr: '' };
  });
  return { calls, runner };
}

describe('namespace runners', () => {
  it('runs ip in the host namespace by name, or in the current one', async () => {
    const { calls, runner } = recorder();
    await ipBatchIn(runner, 'lab-h1', [['link', 'del', 'x']], { json: true, details: true, force: true });
    await ipBatchIn(runner, undefined, [['link', 'show']]);
    expect(calls).toEqual([
      { file: 'ip', args: ['-n', 'lab-h1', '-json', '-details', '-force', '-batch', '-'], input: 'link del x\n' },
      { file: 'ip', args: ['-batch', '-'], input: 'link show\n' },
    ]);
    expect(runner.spawns).toBe(2);
  });

  it('enters a container by name with ip -n, by PID with nsenter', async () => {
    const { calls, runner } = recorder();
    await ipBatchInTarget(runner, { kind: 'netns', name: 'web1', path: '/var/run/netns/web1' }, [['link', 'set', 'lo', 'up']]);
    await ipBatchInTarget(runner, { kind: 'pid', pid: 42, path: '/proc/42/ns/net' }, [['link', 'set', 'lo', 'up']], { json: true });
    await prepareSysctlInTarget(runner, { kind: 'netns', name: 'web1', path: '/var/run/netns/web1' }).run(['net/ipv4/conf/eth0/arp_notify=1', 'net/ipv6/conf/eth0/ndisc_notify=1']);
    expect(calls.map((c) => [c.file, ...c.args].join(' '))).toEqual([
      'ip -n web1 -batch -',
      'nsenter --net=/proc/42/ns/net ip -json -batch -',
      'nsenter --net=/var/run/netns/web1 sysctl -q -p -',
    ]);
    expect(calls[2].input).toBe('net/ipv4/conf/eth0/arp_notify=1\nnet/ipv6/conf/eth0/ndisc_notify=1\n');
  });

  it('counts a prepared command once, when it starts; one discarded runs nothing', async () => {
    const { calls, runner } = recorder();
    const batch = prepareIpBatchInTarget(runner, { kind: 'pid', pid: 42, path: '/proc/42/ns/net' });
    const unused = prepareIpBatchInTarget(runner, { kind: 'pid', pid: 43, path: '/proc/43/ns/net' });
    expect(runner.spawns).toBe(2);
    await batch.run([['link', 'set', 'lo', 'up']]);
    unused.discard();
    expect(calls.map((c) => c.args[0])).toEqual(['--net=/proc/42/ns/net']);
    expect(() => batch.run([['link', 'show']])).toThrow(/already run/);
  });

  it('refuses sysctl settings that are not key=value', () => {
    const { runner } = recorder();
    expect(() => prepareSysctlInTarget(runner, { kind: 'pid', pid: 42, path: '/proc/42/ns/net' }).run(['a b=1'])).toThrow(/key=value/);
  });

  it('refuses batch arguments the batch format would split', async () => {
    const { calls, runner } = recorder();
    expect(() => ipBatchIn(runner, undefined, [['link', 'set', 'eth0 up']])).toThrow(/whitespace/);
    expect(calls).toEqual([]);
  });

  it('splits one JSON document per batch command', () => {
    expect(parseJsonLines('[{"a":1}]\n[]\n\n')).toEqual([[{ a: 1 }], []]);
  });
});
