import { CommandError, RunResult } from '@ovs-fleet/iproute';
import { DELETE_WIDTH, HostLinks } from './host-links';
import { hostIfname } from './naming';
import { BatchSession, Runner } from './runner';

interface SentBatch {
  session: number;
  commands: string[];
  finish(failures?: Map<number, string>): void;
}

/** Sessions whose batches finish only when the test says so, to see what is in flight at once. */
function deferredSessions() {
  const sent: SentBatch[] = [];
  let made = 0;
  let closed = 0;
  const session = (): BatchSession => {
    const index = made++;
    return {
      run: (commands) =>
        new Promise<RunResult>((resolve, reject) => {
          sent.push({
            session: index,
            commands: commands.map((c) => c.join(' ')),
            finish: (failures) => {
              if (!failures || failures.size === 0) return resolve({ stdout: '', stderr: '' });
              const stderr = [...failures].map(([line, message]) => `${message}\nCommand failed: ${commands[line].join(' ')} (batch line ${line + 1})`).join('\n');
              reject(new CommandError('ip', [], null, stderr));
            },
          });
        }),
      close: async () => {
        closed++;
      },
    };
  };
  const runner = Object.assign(async (): Promise<RunResult> => ({ stdout: '', stderr: '' }), { session }) as Runner;
  return { runner, sent, made: () => made, closed: () => closed };
}

const names = (count: number) => Array.from({ length: count }, (_, i) => hostIfname(`c${i}`, 'eth1'));
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('HostLinks', () => {
  it('spreads a deletion over up to DELETE_WIDTH long-lived ip processes, all in flight at once', async () => {
    const { runner, sent, made } = deferredSessions();
    const links = new HostLinks(runner, 'lab-h1');
    const doomed = names(DELETE_WIDTH + 2);
    const deleted = links.delete(doomed);
    await flush();
    expect(made()).toBe(DELETE_WIDTH);
    expect(sent).toHaveLength(DELETE_WIDTH);
    expect(new Set(sent.map((b) => b.session)).size).toBe(DELETE_WIDTH);
    expect(sent.flatMap((b) => b.commands).sort()).toEqual(doomed.map((n) => `link del ${n}`).sort());
    for (const batch of sent) batch.finish();
    expect((await deleted).size).toBe(0);
  });

  it('uses one ip for one name', async () => {
    const { runner, sent, made } = deferredSessions();
    const links = new HostLinks(runner, undefined);
    const deleted = links.delete(names(1));
    await flush();
    expect(made()).toBe(1);
    sent[0].finish();
    await deleted;
  });

  it('names what could not be deleted, from whichever share it was in; a missing link is fine', async () => {
    const { runner, sent } = deferredSessions();
    const links = new HostLinks(runner, 'lab-h1');
    const doomed = names(DELETE_WIDTH + 1);
    const deleted = links.delete(doomed);
    await flush();
    // Share 0 holds names 0 and DELETE_WIDTH: its second command fails, share 1's only one is already gone.
    const share0 = sent.find((b) => b.session === 0)!;
    const share1 = sent.find((b) => b.session === 1)!;
    share0.finish(new Map([[1, 'RTNETLINK answers: Operation not permitted']]));
    share1.finish(new Map([[0, 'Cannot find device "x"']]));
    for (const batch of sent) if (batch !== share0 && batch !== share1) batch.finish();
    expect(await deleted).toEqual(new Map([[doomed[DELETE_WIDTH], 'RTNETLINK answers: Operation not permitted']]));
  });

  it('runs what is asked after a deletion once it is done, and a deletion after what was asked before it', async () => {
    const { runner, sent } = deferredSessions();
    const links = new HostLinks(runner, 'lab-h1');
    const [first, second] = names(2);
    const created = links.run([['link', 'add', first]]);
    const deleted = links.delete([first, second]);
    await flush();
    expect(sent.map((b) => b.commands)).toEqual([[`link add ${first}`]]);
    sent[0].finish();
    await created;
    await flush();
    expect(sent.slice(1).flatMap((b) => b.commands).sort()).toEqual([`link del ${first}`, `link del ${second}`].sort());
    const recreated = links.run([['link', 'add', first]]);
    await flush();
    expect(sent).toHaveLength(3);
    for (const batch of sent.slice(1)) batch.finish();
    await deleted;
    await flush();
    expect(sent.at(-1)!.commands).toEqual([`link add ${first}`]);
    sent.at(-1)!.finish();
    await recreated;
  });

  it('deletes only names of ours', async () => {
    const { runner, sent } = deferredSessions();
    const links = new HostLinks(runner, 'lab-h1');
    expect((await links.delete(['eth0', 'ovfc-not-ours'])).size).toBe(0);
    expect(sent).toHaveLength(0);
  });

  it('without long-lived sessions deletes in one batch (one process, not one per share)', async () => {
    const calls: string[] = [];
    const runner: Runner = async (file, args, options) => {
      calls.push(`${file} ${args.join(' ')}\n${options?.input ?? ''}`);
      return { stdout: '', stderr: '' };
    };
    const links = new HostLinks(runner, 'lab-h1');
    await links.delete(names(3));
    expect(calls).toHaveLength(1);
    expect(calls[0].split('\n').filter((l) => l.startsWith('link del'))).toHaveLength(3);
  });

  it('closes every ip it started', async () => {
    const { runner, sent, closed } = deferredSessions();
    const links = new HostLinks(runner, 'lab-h1');
    const deleted = links.delete(names(3));
    await flush();
    for (const batch of sent) batch.finish();
    await deleted;
    await links.close();
    expect(closed()).toBe(3);
  });
});
