/**
 * Our refusals in OVS's words. libs/ovsdb says why it refuses a type or a value in its own
 * words (OvsdbSchemaError, OvsdbValidationError); OVS's test files expect OVS's. Each rule
 * below rewrites one kind of our error as the message OVS gives for the same reason, from
 * the error's own parts (the offending value, the column type) and, for a JSON syntax
 * error, the input text OVS quotes. A refusal for another reason matches another rule or
 * none, and then differs from OVS's text: the case fails.
 */
import { OvsdbSchemaError, OvsdbValidationError, type BaseTypeMeta, type ColumnTypeMeta } from '@ovs-fleet/ovsdb';
import { atomString, compareAtoms, ovsJsonText, ovsReal } from './ovs-text';

export interface ErrorContext {
  /** The column type the value was checked against (value errors). */
  type?: ColumnTypeMeta;
  /** The JSON input being parsed (OVS quotes it in syntax errors). */
  input?: unknown;
}

type Rule = (error: Error, context: ErrorContext) => string | undefined;

/** The base type a value error is about: the key's, or the value's for `Table.column[value]`-style fields. */
const baseOf = (error: OvsdbValidationError, type: ColumnTypeMeta): BaseTypeMeta => (/value/.test(error.field) && type.value !== undefined ? type.value : type.key);

const bound = (base: BaseTypeMeta, value: number) => (base.type === 'real' ? ovsReal(value) : String(value));

/** OvsdbSchemaError: "WHERE: MESSAGE". */
const SCHEMA_RULES: [RegExp, (match: RegExpExecArray) => string][] = [
  [/^unknown atomic type (".*")$/, (m) => `${m[1]} is not an atomic-type`],
  [/^(min\w+) > (max\w+)$/, (m) => `${m[1]} exceeds ${m[2]}`],
  [/^((?:min|max)Length) out of valid range 0 to 4294967295$/, (m) => `${m[1]} out of valid range 0 to 4294967295`],
  [/^refTable .* is not an <id>$/, () => "Type mismatch for member 'refTable'"],
  [/^version (".*") is not "x\.y\.z"$/, (m) => `schema version ${m[1]} not in format x.y.z`],
  // OVS reads min and max as unsigned integers: a negative one does not parse at all.
  [/^min must be 0 or 1, not (-?\d+)$/, (m) => (Number(m[1]) < 0 ? 'bad min or max value' : 'ovsdb type fails constraint checks')],
  [/^max must be a positive integer or "unlimited" and at least min, not (-?\d+)$/, (m) => (Number(m[1]) < 0 ? 'bad min or max value' : 'ovsdb type fails constraint checks')],
];

const schemaRule: Rule = (error) => {
  if (!(error instanceof OvsdbSchemaError)) return undefined;
  const message = error.message.slice(error.where.length + 2);
  // A member that is absent is "undefined" to our parser: OVS calls it missing.
  const missing = /^(?:.* )?(\w+): invalid base type undefined$/.exec(error.message);
  if (missing) return `Required '${missing[1]}' member is missing.`;
  for (const [pattern, rewrite] of SCHEMA_RULES) {
    const match = pattern.exec(message);
    if (match) return rewrite(match);
  }
  return undefined;
};

const valueRule: Rule = (error, { type, input }) => {
  if (!(error instanceof OvsdbValidationError) || type === undefined) return undefined;
  const base = baseOf(error, type);
  const reason = error.reason;
  const value = error.value;
  let match: RegExpExecArray | null;
  if ((match = /^is not a valid (integer|real|boolean|string)$/.exec(reason))) return `syntax "${ovsJsonText(input)}": syntax error: expected ${match[1]}`;
  if (reason === 'is not a valid uuid') return `syntax "${ovsJsonText(input)}": syntax error: expected ["uuid", <string>]`;
  if (/^is not one of /.test(reason) && base.enum !== undefined) {
    const allowed = [...base.enum].sort(compareAtoms).map((atom) => atomString(base, atom));
    return `constraint violation: ${atomString(base, value as never)} is not one of the allowed values ([${allowed.join(', ')}])`;
  }
  if (/^is (less|greater) than the (minimum|maximum) /.test(reason) && typeof value === 'number') {
    const [min, max] = base.type === 'real' ? [base.minReal, base.maxReal] : [base.minInteger, base.maxInteger];
    const shown = bound(base, value);
    if (min !== undefined && max !== undefined) return `constraint violation: ${shown} is not in the valid range ${bound(base, min)} to ${bound(base, max)} (inclusive)`;
    if (min !== undefined) return `constraint violation: ${shown} is less than minimum allowed value ${bound(base, min)}`;
    if (max !== undefined) return `constraint violation: ${shown} is greater than maximum allowed value ${bound(base, max)}`;
  }
  if ((match = /^is (shorter|longer) than (\d+) characters$/.exec(reason)) && typeof value === 'string') {
    const length = [...value].length;
    return match[1] === 'shorter'
      ? `constraint violation: ${JSON.stringify(value)} length ${length} is less than minimum allowed length ${match[2]}`
      : `constraint violation: ${JSON.stringify(value)} length ${length} is greater than maximum allowed length ${match[2]}`;
  }
  if (/ twice( |$)/.test(reason) && type.kind !== 'map') return 'ovsdb error: set contains duplicate';
  if (/^has (a )?key .*twice|^has a key twice$/.test(reason)) return 'ovsdb error: map contains duplicate key';
  return undefined;
};

const RULES: Rule[] = [schemaRule, valueRule];

/** OVS's message for the reason of our error, or undefined when no rule knows it. */
export function inOvsWords(error: unknown, context: ErrorContext = {}): string | undefined {
  if (!(error instanceof Error)) return undefined;
  for (const rule of RULES) {
    const text = rule(error, context);
    if (text !== undefined) return text;
  }
  return undefined;
}
