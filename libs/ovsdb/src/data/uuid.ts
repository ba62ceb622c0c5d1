import type { UuidString, WireCondition, WireNamedUuid, WireUuid } from '../protocol/wire';

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** RFC 7047 <id>, which is also what a named-uuid must look like. */
const ID = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function isUuid(value: unknown): value is UuidString {
  return typeof value === 'string' && value.length === 36 && UUID.test(value);
}

export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID.test(value);
}

/**
 * A reference to a row inserted earlier in the same transaction (`"uuid-name"` of the
 * insert). Only meaningful inside a transaction; rows read from a database never hold one.
 */
export class NamedUuid {
  constructor(readonly namedUuid: string) {
    if (!isId(namedUuid)) throw new TypeError(`named-uuid "${namedUuid}" is not an <id> ([a-zA-Z_][a-zA-Z0-9_]*)`);
  }

  toWire(): WireNamedUuid {
    return ['named-uuid', this.namedUuid];
  }

  toString(): string {
    return `named-uuid:${this.namedUuid}`;
  }
}

export function namedUuid(name: string): NamedUuid {
  return new NamedUuid(name);
}

function wireUuid(uuid: UuidString): WireUuid {
  return ['uuid', uuid];
}

/** The `where` that selects one row by its uuid. */
export function whereUuid(uuid: UuidString): WireCondition[] {
  return [['_uuid', '==', wireUuid(uuid)]];
}
