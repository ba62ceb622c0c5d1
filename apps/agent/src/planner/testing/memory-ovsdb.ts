import {
  Replica,
  type CommandTarget,
  type Operation,
  type OperationResult,
  type TableUpdates,
  type WireAtom,
  type WireCondition,
  type WireRow,
  type WireValue,
} from '@ovs-fleet/ovsdb';
import { OpenVSwitchSchema } from '@ovs-fleet/ovsdb/vswitch';

const TABLES = ['Open_vSwitch', 'Bridge', 'Port', 'Interface'] as const;

/**
 * A tiny Open_vSwitch database in memory for unit specs: applies the insert, update, mutate
 * and delete operations the command layer sends (waits are accepted as met: one writer),
 * collects rows no root row reaches, as ovsdb-server does, and feeds each change to its
 * replica before answering (read your writes, as OvsdbIdl). Anything else throws. With
 * `vswitchd` on, a transaction that bumps next_cfg (waitForVswitchd) is followed by
 * cur_cfg = next_cfg, as ovs-vswitchd reports a configuration applied.
 */
export class MemoryOvsdb implements CommandTarget {
  readonly replica = new Replica(OpenVSwitchSchema, {
    tables: [...TABLES],
    indexes: (['Bridge', 'Port', 'Interface'] as const).map((table) => ({ table, column: 'name', unique: true })),
  });
  /** Every transaction sent, in order. */
  readonly sent: Operation[][] = [];
  private readonly rows = new Map<string, Map<string, WireRow>>(TABLES.map((table) => [table, new Map()]));
  private nextUuid = 1;
  vswitchd = false;

  static async create(): Promise<MemoryOvsdb> {
    const db = new MemoryOvsdb();
    await db.transact([{ op: 'insert', table: 'Open_vSwitch', row: {} }]);
    db.sent.length = 0;
    return db;
  }

  async transact(ops: readonly Operation[]): Promise<OperationResult[]> {
    this.sent.push([...ops]);
    // A named-uuid names its row anywhere in the transaction, also before its insert.
    const named = new Map<string, string>();
    for (const op of ops) if (op.op === 'insert' && op['uuid-name'] !== undefined) named.set(op['uuid-name'], this.uuid());
    const touched = new Map<string, Set<string>>(TABLES.map((table) => [table, new Set()]));
    const results: OperationResult[] = [];
    for (const op of ops) {
      switch (op.op) {
        case 'wait':
        case 'comment':
          results.push({});
          break;
        case 'select': {
          const row = this.table(op.table).get(this.target(op.where, named));
          results.push({ rows: row === undefined ? [] : [Object.fromEntries((op.columns ?? Object.keys(row)).map((column) => [column, row[column]]))] });
          break;
        }
        case 'insert': {
          const uuid = op['uuid-name'] === undefined ? this.uuid() : named.get(op['uuid-name'])!;
          this.table(op.table).set(uuid, resolveRow(op.row, named));
          touched.get(op.table)!.add(uuid);
          results.push({ uuid: ['uuid', uuid] });
          break;
        }
        case 'update':
        case 'mutate':
        case 'delete': {
          const uuid = this.target(op.where, named);
          const row = this.table(op.table).get(uuid);
          if (row === undefined) {
            results.push({ count: 0 });
            break;
          }
          if (op.op === 'update') Object.assign(row, resolveRow(op.row, named));
          else if (op.op === 'delete') this.table(op.table).delete(uuid);
          else for (const [column, mutator, value] of op.mutations) row[column] = this.mutate(op.table, column, row[column], mutator, resolve(value, named));
          touched.get(op.table)!.add(uuid);
          results.push({ count: 1 });
          break;
        }
        default:
          throw new Error(`MemoryOvsdb does not implement ${op.op}`);
      }
    }
    for (const [table, uuid] of this.collectGarbage()) touched.get(table)!.add(uuid);
    const updates: TableUpdates = {};
    for (const [table, uuids] of touched) {
      if (uuids.size === 0) continue;
      updates[table] = {};
      for (const uuid of uuids) {
        const row = this.table(table).get(uuid);
        updates[table][uuid] = row === undefined ? {} : { new: { ...row } };
      }
    }
    await this.replica.applyUpdate(updates);
    if (this.vswitchd) setImmediate(() => void this.reportApplied());
    return results;
  }

  /** ovs-vswitchd's side of next_cfg: cur_cfg catches up. */
  private async reportApplied(): Promise<void> {
    for (const [uuid, row] of this.table('Open_vSwitch')) {
      if (row.next_cfg === undefined || row.next_cfg === row.cur_cfg) continue;
      row.cur_cfg = row.next_cfg;
      await this.replica.applyUpdate({ Open_vSwitch: { [uuid]: { new: { ...row } } } });
    }
  }

  private target(where: readonly WireCondition[], named: ReadonlyMap<string, string>): string {
    const [condition] = where;
    if (where.length !== 1 || typeof condition === 'boolean' || condition[0] !== '_uuid' || condition[1] !== '==') throw new Error(`MemoryOvsdb only selects rows by _uuid, not ${JSON.stringify(where)}`);
    const value = resolve(condition[2], named);
    return (value as ['uuid', string])[1];
  }

  private mutate(table: string, column: string, current: WireValue | undefined, mutator: string, value: WireValue): WireValue {
    const kind = this.replica.schema.tables.get(table)!.columnsByName.get(column)!.type.kind;
    if (kind === 'atom') {
      if (mutator !== '+=' || typeof value !== 'number') throw new Error(`MemoryOvsdb does not implement ${mutator} on atoms`);
      return (typeof current === 'number' ? current : 0) + value;
    }
    if (kind === 'map') {
      const pairs = new Map((current === undefined ? [] : (current as ['map', [WireAtom, WireAtom][]])[1]).map(([k, v]) => [JSON.stringify(k), [k, v] as [WireAtom, WireAtom]]));
      if (mutator === 'insert') {
        for (const [k, v] of (value as ['map', [WireAtom, WireAtom][]])[1]) if (!pairs.has(JSON.stringify(k))) pairs.set(JSON.stringify(k), [k, v]);
      } else if (mutator === 'delete' && isWireMap(value)) {
        for (const [k, v] of value[1]) if (JSON.stringify(pairs.get(JSON.stringify(k))?.[1]) === JSON.stringify(v)) pairs.delete(JSON.stringify(k));
      } else if (mutator === 'delete') {
        for (const k of atomsOf(value)) pairs.delete(JSON.stringify(k));
      } else {
        throw new Error(`MemoryOvsdb does not implement ${mutator} on maps`);
      }
      return ['map', [...pairs.values()]];
    }
    const members = new Map(atomsOf(current).map((atom) => [JSON.stringify(atom), atom]));
    if (mutator === 'insert') {
      for (const atom of atomsOf(value)) members.set(JSON.stringify(atom), atom);
    } else if (mutator === 'delete') {
      for (const atom of atomsOf(value)) members.delete(JSON.stringify(atom));
    } else {
      throw new Error(`MemoryOvsdb does not implement ${mutator} on sets`);
    }
    return ['set', [...members.values()]];
  }

  /** Deletes rows of non-root tables that no root row reaches; returns them. */
  private collectGarbage(): [string, string][] {
    const reached = new Set<string>();
    const visit = (value: WireValue): void => {
      for (const atom of isWireMap(value) ? value[1].flat() : atomsOf(value)) {
        if (!Array.isArray(atom) || atom[0] !== 'uuid' || reached.has(atom[1])) continue;
        reached.add(atom[1]);
        for (const table of TABLES) {
          const row = this.table(table).get(atom[1]);
          if (row !== undefined) for (const column of Object.values(row)) visit(column);
        }
      }
    };
    for (const [uuid, row] of this.table('Open_vSwitch')) {
      reached.add(uuid);
      for (const column of Object.values(row)) visit(column);
    }
    const collected: [string, string][] = [];
    for (const table of TABLES) {
      if (this.replica.schema.tables.get(table)!.isRoot) continue;
      for (const uuid of [...this.table(table).keys()]) {
        if (reached.has(uuid)) continue;
        this.table(table).delete(uuid);
        collected.push([table, uuid]);
      }
    }
    return collected;
  }

  private table(name: string): Map<string, WireRow> {
    const table = this.rows.get(name);
    if (table === undefined) throw new Error(`MemoryOvsdb has no table ${name}`);
    return table;
  }

  private uuid(): string {
    return `00000000-0000-4000-a000-${String(this.nextUuid++).padStart(12, '0')}`;
  }
}

function isWireMap(value: WireValue): value is ['map', [WireAtom, WireAtom][]] {
  return Array.isArray(value) && value[0] === 'map';
}

/** A set's members; a one-member set may come as the bare atom. */
function atomsOf(value: WireValue | undefined): WireAtom[] {
  if (value === undefined) return [];
  if (Array.isArray(value) && value[0] === 'set') return (value as ['set', WireAtom[]])[1];
  return [value as WireAtom];
}

function resolveRow(row: WireRow, named: ReadonlyMap<string, string>): WireRow {
  return Object.fromEntries(Object.entries(row).map(([column, value]) => [column, resolve(value, named)]));
}

/** named-uuids of this transaction become the uuids given to their rows. */
function resolve(value: WireValue, named: ReadonlyMap<string, string>): WireValue {
  if (!Array.isArray(value)) return value;
  if (value[0] === 'named-uuid') {
    const uuid = named.get(value[1] as string);
    if (uuid === undefined) throw new Error(`unknown named-uuid ${String(value[1])}`);
    return ['uuid', uuid];
  }
  if (value[0] === 'set') return ['set', (value[1] as WireAtom[]).map((atom) => resolve(atom, named) as WireAtom)];
  if (value[0] === 'map') return ['map', (value[1] as [WireAtom, WireAtom][]).map(([k, v]) => [resolve(k, named) as WireAtom, resolve(v, named) as WireAtom])];
  return value;
}
