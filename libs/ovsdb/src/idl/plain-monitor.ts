/**
 * Falling back from `monitor_cond` to RFC 7047 `monitor`, for servers without the
 * conditional monitors (an old ovsdb-server, or one after `ovsdb-server/disable-monitor-cond`),
 * as Python's IDL does.
 *
 * Plain `monitor` has no conditions, and OvsdbIdl does not evaluate them itself: a condition
 * that would leave rows out is refused with OvsdbConditionsUnsupportedError instead of being
 * ignored (Python's IDL silently monitors every row). Filtering client-side would transfer
 * and keep every row of the table anyway, which is what a condition is there to avoid, and
 * would duplicate the server's condition semantics for every column type.
 */
import { OvsdbError, OvsdbRpcError } from '../errors';
import type { MonitorCondRequest, MonitorRequest, WireCondition } from '../protocol/wire';

/** Conditions that would leave rows out, on a server that only has plain `monitor`. */
export class OvsdbConditionsUnsupportedError extends OvsdbError {
  override readonly code: string = 'OVSDB_CONDITIONS_UNSUPPORTED';

  constructor(
    /** The table whose conditions cannot be applied. */
    readonly table: string,
    readonly where: readonly WireCondition[],
  ) {
    super(
      `conditions.${table}: ${JSON.stringify(where)} leaves rows out, but the server has no monitor_cond (only plain monitor, which has no conditions); ` +
        'OvsdbIdl does not filter rows itself: monitor this table without conditions (or with [true])',
    );
  }
}

/** The server does not know the method it was asked for (ovsdb-server answers "unknown method"). */
export function isUnknownMethod(error: unknown): boolean {
  return error instanceof OvsdbRpcError && /unknown method/i.test(String(error.errorName ?? error.message));
}

/** True when `where` keeps every row: no clause (monitor_cond's empty condition) or a literal `true` among them. */
export function selectsEveryRow(where: readonly WireCondition[]): boolean {
  return where.length === 0 || where.includes(true);
}

/** Throws OvsdbConditionsUnsupportedError for the first table whose conditions would leave rows out. */
export function assertEveryRowSelected(conditions: Readonly<Record<string, readonly WireCondition[]>>): void {
  for (const [table, where] of Object.entries(conditions)) {
    if (!selectsEveryRow(where)) throw new OvsdbConditionsUnsupportedError(table, where);
  }
}

/** The `monitor` requests for the same tables and columns (every row: see assertEveryRowSelected). */
export function plainMonitorRequests(requests: Readonly<Record<string, MonitorCondRequest>>): Record<string, MonitorRequest> {
  const plain: Record<string, MonitorRequest> = {};
  for (const [table, request] of Object.entries(requests)) {
    const { where: _where, ...rest } = request;
    plain[table] = rest;
  }
  return plain;
}
