import { GraphQLError, GraphQLScalarType, Kind, print, valueFromASTUntyped } from 'graphql';

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectOrThrow(value: unknown): Record<string, unknown> {
  if (!isJsonObject(value)) throw new GraphQLError(`JSONObject cannot represent a non-object value: ${JSON.stringify(value) ?? String(value)}`);
  return value;
}

/**
 * A JSON object, for the maps and documents the REST API returns as free-form objects:
 * labels, operation targets, desired-state diffs, agent errors. What the object may hold is
 * checked by the same class-validator rules as REST (e.g. labels by IsLabelMap).
 */
export const JSONObjectScalar = new GraphQLScalarType({
  name: 'JSONObject',
  description: 'A JSON object: string keys, JSON values.',
  serialize: objectOrThrow,
  parseValue: objectOrThrow,
  parseLiteral(ast, variables) {
    if (ast.kind !== Kind.OBJECT) throw new GraphQLError(`JSONObject cannot represent a non-object value: ${print(ast)}`, { nodes: ast });
    // graphql-js builds literal objects without a prototype; validators and Redis want plain ones.
    return JSON.parse(JSON.stringify(valueFromASTUntyped(ast, variables))) as Record<string, unknown>;
  },
});
