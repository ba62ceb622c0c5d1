import { OvsdbError } from '../errors';

/** A `.ovsschema` document that does not follow RFC 7047 section 3.2. */
export class OvsdbSchemaError extends OvsdbError {
  override readonly code: string = 'OVSDB_SCHEMA';

  constructor(
    readonly where: string,
    message: string,
  ) {
    super(`${where}: ${message}`);
  }
}
