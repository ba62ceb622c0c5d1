import { OvsdbProtocolError } from '../errors';

/**
 * A JSON value parsed when it is first read, then kept: a notification handed on before
 * the work of parsing it, which its consumer may do later (off a round trip). A value
 * that is not valid JSON throws OvsdbProtocolError on that read, after handing it to
 * `onInvalid` (the session closes the connection with it, as for any message that does
 * not parse).
 */
export class DeferredJson<T> {
  private text: string | undefined;
  private parsed: T | undefined;

  private constructor(
    text: string | undefined,
    parsed: T | undefined,
    private readonly onInvalid?: (error: OvsdbProtocolError) => void,
  ) {
    this.text = text;
    this.parsed = parsed;
  }

  /** A value still to be parsed from `text`. */
  static text<T>(text: string, onInvalid?: (error: OvsdbProtocolError) => void): DeferredJson<T> {
    return new DeferredJson<T>(text, undefined, onInvalid);
  }

  /** A value already parsed. */
  static of<T>(value: T): DeferredJson<T> {
    return new DeferredJson<T>(undefined, value);
  }

  /** Characters still to be parsed: 0 once parsed. */
  get pendingLength(): number {
    return this.text === undefined ? 0 : this.text.length;
  }

  get value(): T {
    const text = this.text;
    if (text !== undefined) {
      try {
        this.parsed = JSON.parse(text) as T;
      } catch (cause) {
        const error = new OvsdbProtocolError(`invalid JSON: ${(cause as Error).message}`);
        this.onInvalid?.(error);
        throw error;
      }
      this.text = undefined;
    }
    return this.parsed as T;
  }
}

/** A notification's params: leading strings, parsed, and the last one, deferred. */
export interface DeferredParams {
  readonly leading: readonly string[];
  readonly last: DeferredJson<unknown>;
}

const NOTIFICATION_START = '{"id":null,"method":"';
const PARAMS_START = '","params":[';
const QUOTE = 0x22;
const COMMA = 0x2c;
const BACKSLASH = 0x5c;

/**
 * Splits a notification written as ovsdb-server writes it, with no whitespace and its
 * members in this order, `{"id":null,"method":"<method>","params":["s1",...,"sN",<last>]}`,
 * where `leading.get(method)` is N: the N strings are read (plain strings only, no
 * escapes), `<last>` is left as text, its parse failure handed to `onInvalid`. Undefined
 * for anything else (parse it whole). The framing has checked that the message is one
 * balanced JSON object; a message of another layout taken for this one by mistake (more
 * members after `params`) cannot parse as one value, so it fails, never misreads.
 */
export function splitNotification(
  text: string,
  leading: ReadonlyMap<string, number>,
  onInvalid?: (error: OvsdbProtocolError) => void,
): { method: string; params: DeferredParams } | undefined {
  if (!text.startsWith(NOTIFICATION_START)) return undefined;
  const methodEnd = text.indexOf('"', NOTIFICATION_START.length);
  if (methodEnd < 0) return undefined;
  const method = text.slice(NOTIFICATION_START.length, methodEnd);
  const count = leading.get(method);
  if (count === undefined || !text.startsWith(PARAMS_START, methodEnd)) return undefined;
  if (text.charCodeAt(text.length - 2) !== 0x5d || text.charCodeAt(text.length - 1) !== 0x7d) return undefined; // "]}"
  let at = methodEnd + PARAMS_START.length;
  const strings: string[] = [];
  for (let i = 0; i < count; i++) {
    if (text.charCodeAt(at) !== QUOTE) return undefined;
    const end = plainStringEnd(text, at + 1);
    if (end < 0 || text.charCodeAt(end + 1) !== COMMA) return undefined;
    strings.push(text.slice(at + 1, end));
    at = end + 2;
  }
  const lastEnd = text.length - 2;
  if (lastEnd <= at) return undefined;
  return { method, params: { leading: strings, last: DeferredJson.text(text.slice(at, lastEnd), onInvalid) } };
}

/** Index of the quote closing a string whose content starts at `from`; -1 when it holds an escape or a control character (JSON.parse's business). */
function plainStringEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) return i;
    if (code === BACKSLASH || code < 0x20) return -1;
  }
  return -1;
}
