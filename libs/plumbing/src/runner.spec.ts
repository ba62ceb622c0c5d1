import { RunOptions } from '@ovs-fleet/iproute';
import { countingRunner, ipBatchIn, ipBatchInTarget, parseJsonLines, sysctlInTarget } from './runner';

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
    await sysctlInTarget(runner, { kind: 'netns', name: 'web1', path: '/var/run/netns/web1' }, ['net/ipv4/conf/eth0/arp_notify=1']);
    expect(calls.map((c) => [c.file, ...c.args].join(' '))).toEqual([
      'ip -n web1 -batch -',
      'nsenter --net=/proc/42/ns/net ip -json -batch -',
      'nsenter --net=/var/run/netns/web1 sysctl -q -w net/ipv4/conf/eth0/arp_notify=1',
    ]);
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
