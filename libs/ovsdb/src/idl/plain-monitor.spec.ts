import { OvsdbError, OvsdbRpcError } from '../errors';
import { assertEveryRowSelected, isUnknownMethod, OvsdbConditionsUnsupportedError, plainMonitorRequests, selectsEveryRow } from './plain-monitor';

describe('plain monitor fallback', () => {
  it('recognizes the server\'s "unknown method" error and nothing else', () => {
    expect(isUnknownMethod(new OvsdbRpcError('monitor_cond', { error: 'unknown method', details: 'monitor_cond' }))).toBe(true);
    expect(isUnknownMethod(new OvsdbRpcError('monitor_cond', { error: 'unknown database' }))).toBe(false);
    expect(isUnknownMethod(new OvsdbError('unknown method'))).toBe(false);
  });

  it('keeps conditions that select every row: none, or a literal true among the clauses', () => {
    expect(selectsEveryRow([])).toBe(true);
    expect(selectsEveryRow([true])).toBe(true);
    expect(selectsEveryRow([['i', '==', 1], true])).toBe(true);
    expect(selectsEveryRow([false])).toBe(false);
    expect(selectsEveryRow([['i', '==', 1]])).toBe(false);
  });

  it('refuses a condition that leaves rows out with a typed error naming the table', () => {
    expect(() => assertEveryRowSelected({ simple: [true], link1: [] })).not.toThrow();
    let thrown: unknown;
    try {
      assertEveryRowSelected({ simple: [true], link1: [['i', '>', 2]] });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(OvsdbConditionsUnsupportedError);
    expect(thrown).toMatchObject({ code: 'OVSDB_CONDITIONS_UNSUPPORTED', table: 'link1', where: [['i', '>', 2]], retryable: false });
    expect((thrown as Error).message).toMatch(/^conditions\.link1: /);
  });

  it('turns monitor_cond requests into monitor requests: same columns and select, no where', () => {
    const plain = plainMonitorRequests({
      simple: { columns: ['_version', 'i'], where: [true] },
      link1: { columns: ['_version', 'k'], select: { initial: true, insert: true, delete: true, modify: false } },
    });
    expect(plain).toEqual({
      simple: { columns: ['_version', 'i'] },
      link1: { columns: ['_version', 'k'], select: { initial: true, insert: true, delete: true, modify: false } },
    });
  });
});
