import { createAgentLogger } from '../observability/logger';
import { isNoPermission } from './errors';
import { Heartbeat } from './heartbeat';

type Write = { fields: Record<string, unknown>; announce: boolean };

function setup(options: { fail?: () => Error | null } = {}) {
  const writes: Write[] = [];
  const fatal: Error[] = [];
  let ovs = { connected: true, version: '3.1.0' };
  const heartbeat = new Heartbeat({
    reporter: {
      status: async (fields, announce = false) => {
        const error = options.fail?.() ?? null;
        if (error) throw error;
        writes.push({ fields, announce });
      },
    },
    agentStartedAt: 1234,
    ovs: () => ovs,
    logger: createAgentLogger('h1', 'silent'),
    isFatal: isNoPermission,
    onFatal: (error) => fatal.push(error),
  });
  return { heartbeat, writes, fatal, setOvs: (next: typeof ovs) => (ovs = next) };
}

describe('Heartbeat', () => {
  it('writes the status fields, announcing only when the OVSDB connection comes or goes', async () => {
    const t = setup();
    const before = Date.now();
    await t.heartbeat.beat();
    await t.heartbeat.beat();
    t.setOvs({ connected: false, version: '3.1.0' });
    await t.heartbeat.beat();
    expect(t.writes.map((w) => w.announce)).toEqual([true, false, true]);
    expect(t.writes[0].fields).toEqual({ heartbeatAt: expect.any(Number), agentStartedAt: 1234, ovsVersion: '3.1.0', ovsdbConnected: true });
    expect(t.writes[0].fields.heartbeatAt as number).toBeGreaterThanOrEqual(before);
    expect(t.writes[2].fields.ovsdbConnected).toBe(false);
  });

  it('a failed heartbeat (Redis away) is survived; NOPERM stops it and is fatal', async () => {
    let next: Error | null = new Error('Connection is closed.');
    const t = setup({ fail: () => next });
    await t.heartbeat.beat();
    expect(t.fatal).toEqual([]);
    next = null;
    await t.heartbeat.beat();
    expect(t.writes).toHaveLength(1);
    next = new Error('NOPERM this user has no permissions to access one of the keys used as arguments');
    await t.heartbeat.beat();
    expect(t.fatal.map((e) => e.message)).toEqual([next.message]);
  });

  it('beats every interval until stopped', async () => {
    // Fake timers: on a loaded machine a real 110 ms wait may see a late interval fire once for several periods.
    jest.useFakeTimers();
    try {
      const writes: number[] = [];
      const heartbeat = new Heartbeat({
        reporter: { status: async () => void writes.push(Date.now()) },
        agentStartedAt: 1,
        ovs: () => ({ connected: true, version: '' }),
        logger: createAgentLogger('h1', 'silent'),
        intervalMs: 20,
      });
      heartbeat.start();
      await jest.advanceTimersByTimeAsync(110);
      heartbeat.stop();
      const count = writes.length;
      expect(count).toBeGreaterThanOrEqual(5);
      await jest.advanceTimersByTimeAsync(60);
      expect(writes.length).toBe(count);
    } finally {
      jest.useRealTimers();
    }
  });
});
