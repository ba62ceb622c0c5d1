import { OvsdbError, OvsdbTransactionError } from '../errors';
import type { Operation, OperationResult, UuidString } from '../protocol/wire';
import { IdlTransaction, interpret, type CommitResult } from '../idl/transaction';
import type { ReplicaRow } from '../replica/row-codec';
import type { RowOf, TableRef } from '../schema/table-ref';
import { describeValue } from '../schema/validation-error';
import { OvsdbCommandError, OvsdbCommitError } from './errors';
import { CommandFailure } from './failure';
import { clearColumn, findRecord, findRows, setColumns, type ColumnValues, type Members, type RowMatch } from './records';
import type { CommandTarget } from './target';
import { waitForVswitchd } from './wait-vswitchd';
import { addBridge, addPort, delBridge, delPort, rootRow, type AddBridgeOptions, type AddPortOptions, type DelOptions } from './vswitch';
import { Workspace, type TableArg, type WorkingRow } from './workspace';

/** A command queued in a batch; after `execute`, `result.uuid(handle)` gives the row it created or found. */
export interface CommandHandle {
  readonly index: number;
  readonly command: string;
}
/** A `findRows` command: `result.rows(handle)` gives the rows, typed by the table. */
export interface FindHandle<T> extends CommandHandle {
  readonly __table?: T;
}

/** A record: its uuid, its name (`br-int`), `.` (Open_vSwitch), or the handle of an earlier command of the batch. */
export type RecordRef = string | CommandHandle;

export interface ExecuteOptions {
  /** Re-plan from the updated replica this many times when the transaction meets a concurrent change ('try again'). Default 3. */
  retries?: number;
  /** Like ovs-vsctl without --no-wait: bump Open_vSwitch.next_cfg and wait until cur_cfg reaches it. */
  waitForVswitchd?: boolean;
  /** For waitForVswitchd. Default 10,000 ms. */
  timeoutMs?: number;
  /** Added to the transaction as a comment (shows in ovsdb-server's log). */
  comment?: string;
}

type Outcome = WorkingRow | WorkingRow[] | undefined;
type Plan = (ws: Workspace, record: (ref: RecordRef, table: TableArg, mustExist?: boolean) => WorkingRow | undefined) => Outcome;

interface Step {
  readonly text: string;
  readonly plan: Plan;
}

export type BatchStatus = 'success' | 'unchanged';

/** An interface the batch added that ovs-vswitchd could not set up (no ofport), as ovs-vsctl reports them. */
export interface InterfaceSetupError {
  readonly name: string;
  readonly uuid: UuidString;
  /** ovs-vswitchd's `Interface.error`, e.g. "could not open network device x (No such device)". */
  readonly error: string | null;
}

/** What an executed batch did. */
export class BatchResult {
  constructor(
    readonly status: BatchStatus,
    /** 1 + the number of re-plans after 'try again'. */
    readonly attempts: number,
    private readonly uuids: readonly (UuidString | undefined)[],
    private readonly found: readonly (readonly unknown[] | undefined)[],
    /** The configuration number ovs-vswitchd applied (waitForVswitchd only). */
    readonly nextCfg: number | undefined,
    /** waitForVswitchd only: interfaces added by the batch that got no ofport (ovs-vsctl prints these). */
    readonly interfaceErrors: readonly InterfaceSetupError[] = [],
  ) {}

  /** The uuid of the row a command created, found (may-exist) or deleted. */
  uuid(handle: CommandHandle): UuidString | undefined {
    return this.uuids[handle.index];
  }

  /** The rows a findRows command matched, as the replica holds them after the commit. */
  rows<T>(handle: FindHandle<T>): RowOf<T>[] {
    return [...((this.found[handle.index] ?? []) as RowOf<T>[])];
  }
}

const flag = (on: boolean | undefined, name: string): string => (on ? `${name} ` : '');
const show = (ref: RecordRef): string => (typeof ref === 'string' ? ref : `@${ref.index}`);
const tableName = (table: TableArg): string => (typeof table === 'string' ? table : table.name);

/**
 * Commands in the spirit of ovs-vsctl, planned against the replica and sent as ONE atomic
 * transaction. Later commands see the effects of earlier ones; what was read is checked
 * by `wait` operations, so a concurrent change re-plans instead of acting on stale facts.
 */
export class CommandBatch {
  private readonly steps: Step[] = [];

  constructor(private readonly target: CommandTarget) {}

  get size(): number {
    return this.steps.length;
  }

  /** The queued commands, spelled as ovs-vsctl commands. */
  describe(): string[] {
    return this.steps.map((step) => step.text);
  }

  addBridge(name: string, options: AddBridgeOptions = {}): CommandHandle {
    return this.push(`${flag(options.mayExist, '--may-exist')}add-br ${name}`, (ws) => addBridge(ws, name, options));
  }

  delBridge(name: string, options: DelOptions = {}): CommandHandle {
    return this.push(`${flag(options.ifExists, '--if-exists')}del-br ${name}`, (ws) => delBridge(ws, name, options));
  }

  addPort(bridge: string, port: string, options: AddPortOptions = {}): CommandHandle {
    const text = `${flag(options.mayExist, '--may-exist')}add-port ${bridge} ${port}`;
    return this.push(text, (ws) => addPort(ws, bridge, port, options, text));
  }

  /** `bridge` undefined: wherever the port is. `port`: a name or a uuid. */
  delPort(bridge: string | undefined, port: string, options: DelOptions = {}): CommandHandle {
    return this.push(`${flag(options.ifExists, '--if-exists')}del-port ${bridge === undefined ? '' : `${bridge} `}${port}`, (ws) => delPort(ws, bridge, port, options));
  }

  /** Inserts a row (ovs-vsctl create); refer to it later in the batch with the handle. */
  create(table: TableArg, values: ColumnValues): CommandHandle {
    return this.push(`create ${tableName(table)}${renderValues(values)}`, (ws) => ws.insert(table, values));
  }

  /** Deletes a row of a root table (rows of other tables go when nothing refers to them). */
  destroy(table: TableArg, record: RecordRef, options: DelOptions = {}): CommandHandle {
    return this.push(`${flag(options.ifExists, '--if-exists')}destroy ${tableName(table)} ${show(record)}`, (ws, find) => {
      const row = find(record, table, !options.ifExists);
      if (row) ws.delete(row);
      return row;
    });
  }

  /** Writes columns; `'column:key'` sets one key of a map. */
  set(table: TableArg, record: RecordRef, values: ColumnValues): CommandHandle {
    return this.push(`set ${tableName(table)} ${show(record)}${renderValues(values)}`, (ws, find) => {
      const row = find(record, table)!;
      setColumns(ws, row, values);
      return row;
    });
  }

  clear(table: TableArg, record: RecordRef, column: string): CommandHandle {
    return this.push(`clear ${tableName(table)} ${show(record)} ${column}`, (ws, find) => {
      const row = find(record, table)!;
      clearColumn(ws, row, column);
      return row;
    });
  }

  /** Adds set members or map entries (an entry replaces the key's value). */
  add(table: TableArg, record: RecordRef, column: string, values: Members): CommandHandle {
    return this.push(`add ${tableName(table)} ${show(record)} ${column} ${describeValue(values)}`, (ws, find) => {
      const row = find(record, table)!;
      ws.add(row, column, values);
      return row;
    });
  }

  /** Removes set members, map keys (an array) or map pairs (a Map: only where the value matches). */
  remove(table: TableArg, record: RecordRef, column: string, values: Members): CommandHandle {
    return this.push(`remove ${tableName(table)} ${show(record)} ${column} ${describeValue(values)}`, (ws, find) => {
      const row = find(record, table)!;
      ws.remove(row, column, values);
      return row;
    });
  }

  /** Rows matching at this point of the batch (see RowMatch); no wait is added for them. */
  findRows<T extends TableRef>(table: T, match: RowMatch | ((row: WorkingRow) => boolean)): FindHandle<T>;
  findRows(table: string, match: RowMatch | ((row: WorkingRow) => boolean)): FindHandle<TableRef<string, ReplicaRow>>;
  findRows(table: TableArg, match: RowMatch | ((row: WorkingRow) => boolean)): FindHandle<unknown> {
    const text = `find ${tableName(table)}${typeof match === 'function' ? ' (predicate)' : renderValues(match)}`;
    return this.push(text, (ws) => findRows(ws, table, match));
  }

  /** Plans every command and sends them as one transaction (see ExecuteOptions). */
  async execute(options: ExecuteOptions = {}): Promise<BatchResult> {
    const retries = options.retries ?? 3;
    const replica = this.target.replica;
    for (let attempt = 1; ; attempt++) {
      // The transaction only builds and validates ops: the batch sends them itself, its waits first.
      const txn = new IdlTransaction({
        schema: replica.schema,
        get: (table, uuid) => replica.get(table, uuid),
        transact: () => Promise.reject(new OvsdbError('IdlTransaction.commit is not used by command batches')),
      });
      const ws = new Workspace(replica, txn);
      const outcomes = this.plan(ws);
      if (options.waitForVswitchd) txn.increment('Open_vSwitch', this.rootUuid(ws), 'next_cfg');
      if (options.comment !== undefined) txn.comment(options.comment);
      const waits = ws.finish();
      const built = txn.buildOperations();
      if (built === null) return this.result('unchanged', attempt, outcomes, new Map(), undefined);
      const ops = [...waits, ...built];
      const commit = await this.send(ops);
      if (commit.status === 'success') {
        if (!options.waitForVswitchd) return this.result('success', attempt, outcomes, commit.inserted, undefined);
        await waitForVswitchd(replica, commit.incrementNewValue!, options.timeoutMs ?? 10_000);
        return this.result('success', attempt, outcomes, commit.inserted, commit.incrementNewValue, setupErrors(ws, commit.inserted));
      }
      if (commit.status === 'try again' && attempt <= retries) continue;
      const status = commit.status === 'try again' || commit.status === 'not locked' ? commit.status : 'error';
      throw new OvsdbCommitError(status, commit.error, commit.details, attempt);
    }
  }

  private rootUuid(ws: Workspace): UuidString {
    try {
      return rootRow(ws).id;
    } catch (error) {
      throw new OvsdbError(`cannot wait for ovs-vswitchd: ${(error as Error).message}`);
    }
  }

  private push(text: string, plan: Plan): CommandHandle {
    const handle = { index: this.steps.length, command: text };
    this.steps.push({ text, plan });
    return handle;
  }

  private plan(ws: Workspace): Outcome[] {
    const outcomes: Outcome[] = [];
    const find = (ref: RecordRef, table: TableArg, mustExist = true): WorkingRow | undefined => {
      if (typeof ref === 'string') return findRecord(ws, table, ref, mustExist);
      const outcome = ref.index < outcomes.length ? outcomes[ref.index] : undefined;
      if (outcome === undefined || Array.isArray(outcome)) throw new CommandFailure(`command ${ref.index} (${ref.command}) gave no single row to refer to`);
      if (outcome.table.name !== tableName(table)) throw new CommandFailure(`command ${ref.index} (${ref.command}) gave a ${outcome.table.name} row, not ${tableName(table)}`);
      return ws.get(table, outcome.id) ?? (mustExist ? failGone(ref) : undefined);
    };
    this.steps.forEach((step, index) => {
      try {
        outcomes.push(step.plan(ws, find));
      } catch (error) {
        if (error instanceof CommandFailure) throw new OvsdbCommandError(index, step.text, error.message);
        throw error;
      }
    });
    return outcomes;
  }

  private async send(ops: Operation[]): Promise<CommitResult> {
    let results: readonly (OperationResult | null)[];
    try {
      // allowErrors: a refused transaction is a reply like any other (OvsdbIdl then also
      // applies the notifications that came before it, even while held).
      results = await this.target.transact(ops, { allowErrors: true });
    } catch (error) {
      if (error instanceof OvsdbTransactionError) results = error.results;
      // The connection dropped: the outcome is unknown; re-planning from the resynced replica decides.
      else if (error instanceof OvsdbError && error.retryable) return { status: 'try again', inserted: new Map(), error: error.message };
      else throw error;
    }
    return interpret(ops, results);
  }

  private result(
    status: BatchStatus,
    attempts: number,
    outcomes: Outcome[],
    inserted: ReadonlyMap<string, UuidString>,
    nextCfg: number | undefined,
    interfaceErrors: InterfaceSetupError[] = [],
  ): BatchResult {
    const replica = this.target.replica;
    const uuids: (UuidString | undefined)[] = [];
    const found: (unknown[] | undefined)[] = [];
    for (const outcome of outcomes) {
      if (Array.isArray(outcome)) {
        uuids.push(undefined);
        const rows: unknown[] = [];
        for (const row of outcome) {
          const uuid = Workspace.resolve(row, inserted);
          const current = uuid === undefined ? undefined : replica.get(row.table.name, uuid);
          if (current !== undefined) rows.push(current);
        }
        found.push(rows);
      } else {
        uuids.push(outcome === undefined ? undefined : Workspace.resolve(outcome, inserted));
        found.push(undefined);
      }
    }
    return new BatchResult(status, attempts, uuids, found, nextCfg, interfaceErrors);
  }
}

/** As ovs-vsctl's post-reload check: new interfaces without an ofport (or -1) after ovs-vswitchd applied the change. */
function setupErrors(ws: Workspace, inserted: ReadonlyMap<string, UuidString>): InterfaceSetupError[] {
  const errors: InterfaceSetupError[] = [];
  for (const row of ws.inserted('Interface')) {
    const uuid = Workspace.resolve(row, inserted);
    const current = uuid === undefined ? undefined : ws.replica.get('Interface', uuid);
    if (current === undefined || (current.ofport !== null && current.ofport !== -1)) continue;
    errors.push({ name: String(current.name), uuid: uuid!, error: typeof current.error === 'string' ? current.error : null });
  }
  return errors;
}

function failGone(ref: CommandHandle): never {
  throw new CommandFailure(`the row of command ${ref.index} (${ref.command}) is deleted in this batch`);
}

function renderValues(values: Readonly<Record<string, unknown>>): string {
  let out = '';
  for (const [column, value] of Object.entries(values)) out += ` ${column}=${describeValue(value)}`;
  return out;
}

/** A new, empty command batch on this target (e.g. an OvsdbIdl). */
export function commands(target: CommandTarget): CommandBatch {
  return new CommandBatch(target);
}
