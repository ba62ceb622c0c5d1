/**
 * The round-trip plans must be acceptable to ovsdb-server by construction, or the
 * integration test would fail for the wrong reason: every value valid for its column,
 * references only to planned rows of the refTable, every non-root row reachable from a
 * root row through strong references, unique indexes and maxRows respected.
 */
import fc from 'fast-check';
import { namedUuid, parseSchema, validateValue, type DatabaseMeta, type WritableValue } from '@ovs-fleet/ovsdb';
import { OpenVSwitchSchema } from '@ovs-fleet/ovsdb/vswitch';
import { edgePlans, PlannedRow, randomPlan, resolveValue, RowRef, type PlanValue } from './row-plan';

const meta = parseSchema(OpenVSwitchSchema);
const refName = (ref: RowRef): string => `${ref.table}_${ref.index}`;

function refsOf(value: PlanValue): RowRef[] {
  const atoms = Array.isArray(value) ? value : value instanceof Map ? [...value].flat() : [value];
  return (atoms as unknown[]).filter((a): a is RowRef => a instanceof RowRef);
}

/** Human-readable reasons the server would refuse the plan or garbage-collect part of it. */
function problems(schema: DatabaseMeta, plan: readonly PlannedRow[]): string[] {
  const out: string[] = [];
  const keys = new Set(plan.map((row) => row.key));
  const namedUuids = new Map(plan.map((row) => [`${row.table.name}_${row.index}`, row.table.name]));
  for (const row of plan) {
    for (const column of row.table.columns) {
      const value = row.values.get(column.name);
      if (value === undefined) {
        out.push(`${row.key}.${column.name}: not written`);
        continue;
      }
      try {
        validateValue(column, resolveValue(value, (ref) => namedUuid(refName(ref))) as WritableValue, { namedUuids });
      } catch (error) {
        out.push(`${row.key}: ${(error as Error).message}`);
      }
      for (const ref of refsOf(value)) if (!keys.has(ref.key)) out.push(`${row.key}.${column.name}: refers to ${ref.key}, not planned`);
    }
  }
  // Reachability, computed here independently of makeConsistent.
  const reached = new Set(plan.filter((row) => row.table.isRoot).map((row) => row.key));
  for (let grew = true; grew; ) {
    grew = false;
    for (const row of plan) {
      if (!reached.has(row.key)) continue;
      for (const column of row.table.columns) {
        const { key, value } = column.type;
        const strongKey = key.refTable !== undefined && key.refType === 'strong';
        const strongValue = value?.refTable !== undefined && value.refType === 'strong';
        const v = row.values.get(column.name)!;
        const refs = v instanceof Map ? [...v].flatMap(([k, x]) => [...(strongKey ? [k] : []), ...(strongValue ? [x] : [])]) : strongKey ? refsOf(v) : [];
        for (const ref of refs as RowRef[]) {
          if (reached.has(ref.key)) continue;
          reached.add(ref.key);
          grew = true;
        }
      }
    }
  }
  for (const row of plan) if (!reached.has(row.key)) out.push(`${row.key}: no root row reaches it (would be garbage-collected)`);
  for (const table of schema.tables.values()) {
    const rows = plan.filter((row) => row.table.name === table.name);
    if (table.maxRows !== undefined && rows.length > table.maxRows) out.push(`${table.name}: ${rows.length} rows, maxRows ${table.maxRows}`);
    for (const index of table.indexes) {
      const tuples = rows.map((row) => JSON.stringify(index.map((c) => String(row.values.get(c)))));
      if (new Set(tuples).size !== tuples.length) out.push(`${table.name}: index ${index.join(',')} not unique`);
    }
  }
  return out;
}

describe('round-trip plans are valid for the server by construction', () => {
  it('edge plans: every table gets rows and every plan is consistent', () => {
    const plans = edgePlans(meta);
    for (const plan of plans) expect(problems(meta, plan)).toEqual([]);
    const tablesWritten = new Set(plans.flat().map((row) => row.table.name));
    expect([...meta.tables.keys()].filter((name) => !tablesWritten.has(name))).toEqual([]);
  });

  it('random plans are consistent', () => {
    fc.assert(
      fc.property(randomPlan(meta), (plan) => {
        expect(problems(meta, plan)).toEqual([]);
      }),
      { numRuns: 50 },
    );
  });

  it('the check above notices an unreachable row and a dangling reference', () => {
    const plan = edgePlans(meta)[0];
    const port = plan.find((row) => row.table.name === 'Port')!;
    const orphan = new PlannedRow(port.table, 99, new Map(port.values));
    orphan.values.set('name', 'orphan');
    expect(problems(meta, [...plan, orphan])).toContain('Port#99: no root row reaches it (would be garbage-collected)');
    const bridge = plan.find((row) => row.table.name === 'Bridge')!;
    const saved = bridge.values.get('ports')!;
    bridge.values.set('ports', [new RowRef('Port', 42)]);
    expect(problems(meta, plan).some((p) => p.includes('refers to Port#42, not planned'))).toBe(true);
    bridge.values.set('ports', saved);
  });
});
