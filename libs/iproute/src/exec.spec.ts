import { CommandError, prepare, run } from './exec';

describe('run and prepare', () => {
  it('passes input and returns output, with no shell in between', async () => {
    await expect(run('cat', [], { input: 'a; echo $HOME\n' })).resolves.toEqual({ stdout: 'a; echo $HOME\n', stderr: '' });
  });

  it('gives the child this process\'s environment, or the one asked for', async () => {
    expect((await run('printenv', ['PATH'])).stdout.trim()).toBe(process.env.PATH);
    expect((await run('printenv', ['OVF_ONLY'], { env: { OVF_ONLY: 'x' } })).stdout).toBe('x\n');
  });

  it('closes standard input when no input is given (a reader does not hang)', async () => {
    await expect(run('cat', [])).resolves.toEqual({ stdout: '', stderr: '' });
  });

  it('starts a prepared command at once and gives it its input later', async () => {
    const started = prepare(process.execPath, ['-e', 'process.stderr.write("started\\n"); process.stdin.pipe(process.stdout)']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(started.run('later\n')).resolves.toEqual({ stdout: 'later\n', stderr: 'started\n' });
    expect(() => started.run('again')).toThrow(/already run/);
  });

  it('discards a prepared command: its standard input closes unread', async () => {
    const unused = prepare('cat', []);
    unused.discard();
    unused.discard();
    expect(() => unused.run('x')).toThrow(/already run or discarded/);
  });

  it('reports a prepared command that died before its input as a CommandError', async () => {
    const dead = prepare(process.execPath, ['-e', 'process.stderr.write("gone\\n"); process.exit(3)']);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const error = await dead.run('x'.repeat(1 << 20)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect(error).toMatchObject({ exitCode: 3, stderr: 'gone\n' });
  });

  it('sees a change to this process\'s environment made after the first process started', async () => {
    await run('true', []);
    process.env.OVF_LATE = 'set later';
    try {
      expect((await run('printenv', ['OVF_LATE'])).stdout).toBe('set later\n');
    } finally {
      delete process.env.OVF_LATE;
    }
  });

  it('reports a program that does not exist, and one that outlives its timeout, as CommandErrors', async () => {
    const missing = ['ovf', 'no', 'such', 'program'].join('-'); // exists nowhere: see DYNAMIC_ALLOWED in test/tooling/external-programs.int-spec.ts
    await expect(run(missing, [])).rejects.toMatchObject({ name: 'CommandError', exitCode: null, message: expect.stringContaining('ENOENT') });
    const started = Date.now();
    await expect(run('sleep', ['5'], { timeoutMs: 200 })).rejects.toMatchObject({ exitCode: null, message: expect.stringContaining('timed out after 200 ms') });
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('passes output that is not ASCII, and a large one, unchanged', async () => {
    const text = 'é\u00e9 ✓ ' + 'x'.repeat(300_000) + '\n';
    await expect(run('cat', [], { input: text })).resolves.toEqual({ stdout: text, stderr: '' });
  });
});
