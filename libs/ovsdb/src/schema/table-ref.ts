/**
 * A typed handle on a table: generated code exports one per table (`Bridge`, `Port`...), so
 * that `replica.table(Bridge)` returns `Bridge` rows without casts. The row types are
 * phantom members, present only for type inference.
 */
export interface TableRef<Name extends string = string, Row = unknown, Write = unknown> {
  readonly name: Name;
  readonly __row?: Row;
  readonly __write?: Write;
}

export type RowOf<T> = T extends TableRef<string, infer Row> ? Row : never;
export type WriteOf<T> = T extends TableRef<string, unknown, infer Write> ? Write : never;
