/** A `.ovsschema` document that does not follow RFC 7047 section 3.2. */
export class OvsdbSchemaError extends Error {
  constructor(
    readonly where: string,
    message: string,
  ) {
    super(`${where}: ${message}`);
    this.name = 'OvsdbSchemaError';
  }
}
