import { OvsdbError } from '../errors';

/**
 * A value that does not fit its column, named as `Table.column: <value> <reason>` so that
 * an API error can be traced to the exact field. Thrown before anything is sent.
 */
export class OvsdbValidationError extends OvsdbError {
  override readonly code: string = 'OVSDB_VALIDATION';

  constructor(
    /** `Table.column`, or `Table` for row-level problems. */
    readonly field: string,
    readonly value: unknown,
    readonly reason: string,
  ) {
    super(`${field}: ${describeValue(value)} ${reason}`);
  }
}

/** A short, readable rendering of a value for error messages (Maps and long sets shortened). */
export function describeValue(value: unknown): string {
  if (value instanceof Map) {
    const shown = [...value].slice(0, 5).map(([k, v]) => `${describeValue(k)}=${describeValue(v)}`);
    return `{${shown.join(', ')}${value.size > 5 ? ', ...' : ''}}`;
  }
  if (Array.isArray(value)) {
    const shown = value.slice(0, 5).map(describeValue);
    return `[${shown.join(', ')}${value.length > 5 ? ', ...' : ''}]`;
  }
  if (value === undefined) return 'undefined';
  if (typeof value === 'object' && value !== null && 'namedUuid' in value) return `named-uuid ${String(value.namedUuid)}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
