import { CommandError } from './exec';
import { IpBatchSession } from './ip-session';

// Read-only commands in the current namespace: nothing on the machine changes.
describe('IpBatchSession', () => {
  let session: IpBatchSession;
  beforeEach(() => {
    session = new IpBatchSession();
  });
  afterEach(() => session.close());

  it('runs batch after batch in one process', async () => {
    await expect(session.run([['link', 'show', 'dev', 'lo']])).resolves.toEqual({ stdout: '', stderr: '' });
    await expect(session.run([])).resolves.toBeDefined();
    await expect(session.run([['address', 'show', 'dev', 'lo']])).resolves.toBeDefined();
  });

  it('fails the batch whose command failed, naming the command and ip\'s message; later batches still run', async () => {
    const ok = session.run([['link', 'show', 'dev', 'lo']]);
    const bad = session.run([['link', 'show', 'dev', 'lo'], ['link', 'show', 'dev', 'ovfnosuch0']]);
    const after = session.run([['link', 'show', 'dev', 'lo']]);
    await expect(ok).resolves.toBeDefined();
    const error = await bad.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect((error as CommandError).stderr).toMatch(/"ovfnosuch0" does not exist[\s\S]*Command failed: link show dev ovfnosuch0 \(batch line 2\)/);
    await expect(after).resolves.toBeDefined();
  });

  it('starts a new process after ip exited on an argument it rejects outright', async () => {
    const error = await session.run([['link', 'add', 'x/y', 'type', 'dummy']]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect((error as CommandError).stderr).toMatch(/not a valid ifname[\s\S]*exited before the batch ended/);
    await expect(session.run([['link', 'show', 'dev', 'lo']])).resolves.toBeDefined();
  });

  it('refuses arguments the batch format would split, before sending anything', () => {
    expect(() => session.run([['link', 'show', 'dev', 'lo up']])).toThrow(/whitespace/);
  });

  it('refuses a bad namespace name', () => {
    expect(() => new IpBatchSession({ netns: 'a;b' })).toThrow(/netns/);
  });
});
