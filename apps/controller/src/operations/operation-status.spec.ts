import type { AgentReceipts, ConvergeReport } from '@ovs-fleet/contracts';
import { newOperation, OperationRecord } from './operation-record';
import { decisiveReport, deriveHostView, deriveOperationView, HostInputs, isFinal, TIMED_OUT } from './operation-status';

const T0 = Date.UTC(2026, 10, 30, 12, 0, 0);
const TIMEOUT_MS = 60_000;
const BEFORE_DEADLINE = T0 + 5_000;
const AFTER_DEADLINE = T0 + TIMEOUT_MS + 1;
const iso = (ms: number) => new Date(ms).toISOString();

function applied(revision: number, at: number, receipts: Partial<AgentReceipts> = {}): ConvergeReport {
  return {
    kind: 'applied',
    revision,
    at,
    receipts: { pickedUpAt: at - 40, committedAt: at - 30, vswitchdAppliedAt: at - 20, linkUpAt: at - 10, ...receipts },
    changes: 1,
    repaired: 0,
    requestIds: [],
  };
}

function failed(revision: number, at: number, final: boolean, code = 'OVSDB_ERROR', message = 'constraint violation'): ConvergeReport {
  return { kind: 'failed', revision, at, error: { code, message, retryable: !final }, final, attempt: 1, requestIds: [] };
}

function operation(targets: Record<string, number>): OperationRecord {
  const record = newOperation({ kind: 'network.create', resource: { type: 'network', id: 'blue' }, requestId: 'req-1', createdAt: T0, timeoutMs: TIMEOUT_MS, targets });
  for (const entry of Object.values(record.hosts)) entry.queuedAt = T0 + 2;
  return record;
}

const timing = { createdAt: T0, deadline: T0 + TIMEOUT_MS };
const entry = (targetRevision: number) => ({ targetRevision, acceptedAt: T0, queuedAt: T0 + 2 });
const host = (targetRevision: number, inputs: HostInputs, now = BEFORE_DEADLINE) => deriveHostView('h1', entry(targetRevision), inputs, timing, now);

describe('deriveHostView', () => {
  it('is pending while nothing was reported, with accepted and queued receipts only', () => {
    const view = host(5, { appliedRevision: null, reports: [] });
    expect(view).toEqual({
      hostId: 'h1',
      targetRevision: 5,
      state: 'pending',
      appliedRevision: null,
      error: null,
      receipts: { acceptedAt: iso(T0), queuedAt: iso(T0 + 2), pickedUpAt: null, committedAt: null, vswitchdAppliedAt: null, linkUpAt: null, appliedAt: null },
    });
  });

  it('shows queuedAt null before the job was queued', () => {
    const view = deriveHostView('h1', { targetRevision: 5, acceptedAt: T0, queuedAt: null }, { appliedRevision: null, reports: [] }, timing, BEFORE_DEADLINE);
    expect(view.receipts.queuedAt).toBeNull();
  });

  it('is applied by an applied report at the target, with the receipts of that report', () => {
    const view = host(5, { appliedRevision: 5, reports: [applied(5, T0 + 900, { linkUpAt: null })] });
    expect(view.state).toBe('applied');
    expect(view.error).toBeNull();
    expect(view.appliedRevision).toBe(5);
    expect(view.receipts).toEqual({
      acceptedAt: iso(T0),
      queuedAt: iso(T0 + 2),
      pickedUpAt: iso(T0 + 860),
      committedAt: iso(T0 + 870),
      vswitchdAppliedAt: iso(T0 + 880),
      linkUpAt: null,
      appliedAt: iso(T0 + 900),
    });
  });

  it('collapse: target 5 is satisfied by an applied 7', () => {
    const view = host(5, { appliedRevision: 7, reports: [applied(7, T0 + 500)] });
    expect(view.state).toBe('applied');
    expect(view.receipts.appliedAt).toBe(iso(T0 + 500));
  });

  it('takes the receipts from the FIRST applied report at or above the target', () => {
    const view = host(5, { appliedRevision: 8, reports: [applied(6, T0 + 500), applied(8, T0 + 700)] });
    expect(view.receipts.appliedAt).toBe(iso(T0 + 500));
    expect(view.receipts.pickedUpAt).toBe(iso(T0 + 460));
  });

  it('ignores applied reports below the target', () => {
    const view = host(5, { appliedRevision: 4, reports: [applied(4, T0 + 500)] });
    expect(view.state).toBe('pending');
    expect(view.receipts.appliedAt).toBeNull();
  });

  it('a failure at 4 does not fail target 5', () => {
    const view = host(5, { appliedRevision: 3, reports: [failed(4, T0 + 100, true)] });
    expect(view.state).toBe('pending');
    expect(view.error).toBeNull();
  });

  it('a final failure at or above the target fails the host with its error', () => {
    const view = host(5, { appliedRevision: 4, reports: [failed(5, T0 + 100, true, 'BRIDGE_MISSING', 'br-phys does not exist')] });
    expect(view.state).toBe('failed');
    expect(view.error).toEqual({ code: 'BRIDGE_MISSING', message: 'br-phys does not exist', retryable: false });
  });

  it('a final failure at a later revision fails an earlier target too', () => {
    expect(host(5, { appliedRevision: 4, reports: [failed(6, T0 + 100, true)] }).state).toBe('failed');
  });

  it('a non-final failure leaves the host pending and shows the last such error', () => {
    const view = host(5, {
      appliedRevision: 4,
      reports: [failed(5, T0 + 100, false, 'OVSDB_DOWN', 'first'), failed(5, T0 + 200, false, 'OVSDB_DOWN', 'second')],
    });
    expect(view.state).toBe('pending');
    expect(view.error).toEqual({ code: 'OVSDB_DOWN', message: 'second', retryable: true });
  });

  it('a retryable error below the target is not shown', () => {
    expect(host(5, { appliedRevision: 4, reports: [failed(4, T0 + 100, false)] }).error).toBeNull();
  });

  it('an applied report after retryable errors makes the host applied without an error', () => {
    const view = host(5, { appliedRevision: 5, reports: [failed(5, T0 + 100, false), applied(5, T0 + 900)] });
    expect(view.state).toBe('applied');
    expect(view.error).toBeNull();
  });

  it('the first decisive report wins: a final failure before an applied one stays failed', () => {
    const view = host(5, { appliedRevision: 6, reports: [failed(5, T0 + 100, true), applied(6, T0 + 900)] });
    expect(view.state).toBe('failed');
  });

  it('the first decisive report wins: an applied one before a final failure stays applied', () => {
    const view = host(5, { appliedRevision: 5, reports: [applied(5, T0 + 100), failed(6, T0 + 900, true)] });
    expect(view.state).toBe('applied');
  });

  it('falls back to the status hash when the reports were trimmed: applied, receipts unknown', () => {
    const view = host(5, { appliedRevision: 9, reports: [] });
    expect(view.state).toBe('applied');
    expect(view.receipts.pickedUpAt).toBeNull();
    expect(view.receipts.appliedAt).toBeNull();
  });

  it('an applied revision below the target in the status hash is not enough', () => {
    expect(host(5, { appliedRevision: 4, reports: [] }).state).toBe('pending');
  });

  it('times out after the deadline, naming the host and the timeout', () => {
    const view = host(5, { appliedRevision: null, reports: [] }, AFTER_DEADLINE);
    expect(view.state).toBe('failed');
    expect(view.error).toEqual({ code: TIMED_OUT, message: 'host h1 did not answer within 60 s', retryable: false });
  });

  it('is still pending at the deadline itself', () => {
    expect(host(5, { appliedRevision: null, reports: [] }, T0 + TIMEOUT_MS).state).toBe('pending');
  });

  it('a timeout carries the last retryable error', () => {
    const view = host(5, { appliedRevision: 4, reports: [failed(5, T0 + 100, false, 'OVSDB_DOWN', 'connection refused')] }, AFTER_DEADLINE);
    expect(view.error?.code).toBe(TIMED_OUT);
    expect(view.error?.message).toBe('host h1 did not answer within 60 s; last error: OVSDB_DOWN: connection refused');
  });

  it('a report that decided before the deadline still decides after it', () => {
    expect(host(5, { appliedRevision: 5, reports: [applied(5, T0 + 100)] }, AFTER_DEADLINE).state).toBe('applied');
    expect(host(5, { appliedRevision: 4, reports: [failed(5, T0 + 100, true)] }, AFTER_DEADLINE).error?.code).toBe('OVSDB_ERROR');
  });
});

describe('decisiveReport', () => {
  it('skips retryable failures and reports below the target', () => {
    const reports = [applied(4, 1), failed(5, 2, false), failed(5, 3, true), applied(5, 4)];
    expect(decisiveReport(reports, 5)).toBe(reports[2]);
    expect(decisiveReport(reports, 6)).toBeNull();
    expect(decisiveReport(reports, 4)).toBe(reports[0]);
  });
});

describe('deriveOperationView', () => {
  const none: HostInputs = { appliedRevision: null, reports: [] };

  it('an operation without hosts is applied', () => {
    const view = deriveOperationView(operation({}), new Map(), BEFORE_DEADLINE);
    expect(view.state).toBe('applied');
    expect(view.hosts).toEqual([]);
    expect(view.counts).toEqual({ pending: 0, applied: 0, failed: 0 });
    expect(view.message).toBeNull();
  });

  it('is pending while any host is, applied when all are; hosts sorted by id', () => {
    const record = operation({ h2: 3, h1: 5 });
    const pending = deriveOperationView(record, new Map([['h1', { appliedRevision: 5, reports: [applied(5, T0 + 10)] }]]), BEFORE_DEADLINE);
    expect(pending.state).toBe('pending');
    expect(pending.hosts.map((h) => [h.hostId, h.state])).toEqual([['h1', 'applied'], ['h2', 'pending']]);
    expect(pending.counts).toEqual({ pending: 1, applied: 1, failed: 0 });

    const done = deriveOperationView(
      record,
      new Map([
        ['h1', { appliedRevision: 5, reports: [applied(5, T0 + 10)] }],
        ['h2', { appliedRevision: 3, reports: [applied(3, T0 + 20)] }],
      ]),
      BEFORE_DEADLINE,
    );
    expect(done.state).toBe('applied');
    expect(done.message).toBeNull();
    expect(done).toMatchObject({ id: record.id, kind: 'network.create', requestId: 'req-1', resource: { type: 'network', id: 'blue' }, createdAt: iso(T0), deadline: iso(T0 + TIMEOUT_MS) });
  });

  it('fails as soon as one host failed, even with others pending, listing the failed hosts', () => {
    const record = operation({ h1: 5, h2: 5, h3: 5 });
    const view = deriveOperationView(
      record,
      new Map([
        ['h1', { appliedRevision: 5, reports: [applied(5, T0 + 10)] }],
        ['h2', { appliedRevision: 4, reports: [failed(5, T0 + 20, true, 'BRIDGE_MISSING', 'br-phys does not exist')] }],
        ['h3', none],
      ]),
      BEFORE_DEADLINE,
    );
    expect(view.state).toBe('failed');
    expect(view.counts).toEqual({ pending: 1, applied: 1, failed: 1 });
    expect(view.message).toBe('1 of 3 hosts failed: host h2 failed: BRIDGE_MISSING: br-phys does not exist');
  });

  it('after the deadline names every host that did not answer', () => {
    const record = operation({ h1: 5, h2: 5, h3: 5 });
    const view = deriveOperationView(record, new Map([['h1', { appliedRevision: 5, reports: [applied(5, T0 + 10)] }]]), AFTER_DEADLINE);
    expect(view.state).toBe('failed');
    expect(view.message).toBe('2 of 3 hosts failed: host h2 did not answer within 60 s; host h3 did not answer within 60 s');
  });

  it('a host missing from the inputs reads as nothing reported', () => {
    expect(deriveOperationView(operation({ h1: 1 }), new Map(), BEFORE_DEADLINE).hosts[0].state).toBe('pending');
  });
});

describe('isFinal', () => {
  it.each([
    ['pending', false],
    ['applied', true],
    ['failed', true],
  ] as const)('%s -> %s', (state, final) => expect(isFinal(state)).toBe(final));
});
