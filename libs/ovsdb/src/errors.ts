import { FleetError } from '@ovs-fleet/errors';
import type { Operation, OperationResult } from './protocol/wire';

/**
 * Base of every error this library throws: a FleetError with a stable `code`;
 * `retryable`: the same call may succeed if repeated.
 */
export class OvsdbError extends FleetError {
  readonly code: string = 'OVSDB_ERROR';
}

/** Could not connect, or the connection broke. Retrying (after reconnecting) may succeed. */
export class OvsdbConnectionError extends OvsdbError {
  override readonly code: string = 'OVSDB_CONNECTION';
  override readonly retryable: boolean = true;

  constructor(
    message: string,
    readonly remote?: string,
    options?: { cause?: unknown },
  ) {
    super(remote ? `${remote}: ${message}` : message, options);
  }
}

/** The connection closed while a request was in flight: its outcome is unknown. */
export class OvsdbDisconnectedError extends OvsdbConnectionError {
  override readonly code: string = 'OVSDB_DISCONNECTED';

  constructor(
    readonly method: string,
    remote?: string,
    options?: { cause?: unknown },
  ) {
    super(`connection closed before the reply to "${method}" arrived`, remote, options);
  }
}

/** No reply within the request's timeout, or the inactivity probe went unanswered. */
export class OvsdbTimeoutError extends OvsdbError {
  override readonly code: string = 'OVSDB_TIMEOUT';
  override readonly retryable = true;

  constructor(
    readonly method: string,
    readonly timeoutMs: number,
    message = `no reply to "${method}" within ${timeoutMs} ms`,
  ) {
    super(message);
  }
}

/** The caller aborted the request (AbortSignal) before its reply came. */
export class OvsdbCancelledError extends OvsdbError {
  override readonly code: string = 'OVSDB_CANCELLED';

  constructor(
    readonly method: string,
    readonly reason?: unknown,
  ) {
    super(`"${method}" was cancelled${reason instanceof Error ? `: ${reason.message}` : ''}`, { cause: reason });
  }
}

/**
 * The peer broke the wire protocol (bad JSON, garbage between messages, an oversize frame)
 * or speaks another protocol altogether (SSH, HTTP). Not retryable: the same peer will
 * answer the same way.
 */
export class OvsdbProtocolError extends OvsdbError {
  override readonly code: string = 'OVSDB_PROTOCOL';
}

/** A JSON-RPC reply whose `error` member is not null (e.g. "unknown database"). */
export class OvsdbRpcError extends OvsdbError {
  override readonly code: string = 'OVSDB_RPC';

  constructor(
    readonly method: string,
    readonly error: unknown,
  ) {
    super(`"${method}" failed: ${describeRpcError(error)}`);
  }

  /** The OVSDB error string, when the server sent `{error: "...", details: "..."}` or a bare string. */
  get errorName(): string | undefined {
    if (typeof this.error === 'string') return this.error;
    if (this.error && typeof this.error === 'object' && typeof (this.error as { error?: unknown }).error === 'string') {
      return (this.error as { error: string }).error;
    }
    return undefined;
  }
}

function describeRpcError(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error && typeof error === 'object') {
    const { error: name, details } = error as { error?: unknown; details?: unknown };
    if (typeof name === 'string') return typeof details === 'string' ? `${name}: ${details}` : name;
  }
  return JSON.stringify(error);
}

/**
 * A transaction the server refused. `opIndex` is the failing operation's position in the
 * request, or undefined when the error came as the extra element after all operations
 * (e.g. "referential integrity violation", found at commit time).
 */
export class OvsdbTransactionError extends OvsdbError {
  override readonly code: string = 'OVSDB_TRANSACTION';
  override readonly retryable: boolean;

  constructor(
    readonly error: string,
    readonly details: string | undefined,
    readonly opIndex: number | undefined,
    readonly operation: Operation | undefined,
    readonly results: readonly (OperationResult | null)[],
  ) {
    const where = opIndex === undefined ? 'at commit' : `in operation ${opIndex}${operation ? ` (${operation.op}${'table' in operation ? ` ${operation.table}` : ''})` : ''}`;
    super(`transaction failed ${where}: ${error}${details ? `: ${details}` : ''}`);
    // "timed out" (a wait that did not hold) is the optimistic-concurrency conflict: redo.
    this.retryable = error === 'timed out';
  }
}

/** The client was closed by its owner: nothing more will be sent. Not retryable. */
export class OvsdbClosedError extends OvsdbError {
  override readonly code: string = 'OVSDB_CLOSED';

  constructor(what = 'client') {
    super(`${what} is closed`);
  }
}
