import { isUtf8 } from 'node:buffer';
import { OvsdbProtocolError } from '../errors';

export interface FrameParserOptions {
  /** Largest JSON value accepted, in bytes (default 64 MiB). Larger → protocol error. */
  maxFrameBytes?: number;
  /** Deepest nesting of objects/arrays accepted (default 1000). */
  maxDepth?: number;
}

const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;
const DEFAULT_MAX_DEPTH = 1000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

const isWhitespace = (byte: number) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

/**
 * Cuts the OVSDB stream (JSON objects back to back, no delimiter) into parsed values.
 *
 * Every byte is scanned once: depth, in-string and escape state survive chunk
 * boundaries, so the work is linear in the input whatever the chunking. A value that
 * spans chunks is decoded chunk by chunk as it arrives (a character split across chunks
 * waits for its last bytes), so socket buffers are released at once: a 20 MB initial
 * sync holds its text once, not the chunks, their concatenation and the text.
 *
 * After a protocol error the parser stays failed: the stream cannot be resynchronised.
 */
export class JsonFrameParser {
  private readonly maxFrameBytes: number;
  private readonly maxDepth: number;
  /** Decoded text of the unfinished value, one string per chunk. */
  private parts: string[] = [];
  /** The first bytes of a UTF-8 character whose remaining bytes are in the next chunk. */
  private carry: Buffer | undefined;
  private pendingBytes = 0;
  private depth = 0;
  private inString = false;
  /** The last byte scanned inside a string was an unescaped backslash. */
  private escaped = false;
  private failure: OvsdbProtocolError | undefined;
  /** Set at the first "{": until then, garbage means the peer speaks another protocol. */
  private started = false;

  /**
   * `claim`, when given, sees each complete message's text first (checked to be UTF-8 and
   * one balanced JSON object, not yet parsed): returning true takes the message, which is
   * then neither parsed nor handed to `onValue`.
   */
  constructor(
    private readonly onValue: (value: unknown) => void,
    options: FrameParserOptions = {},
    private readonly claim?: (text: string) => boolean,
  ) {
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  }

  /** Bytes of a value begun but not yet complete. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /** True between values (nothing partial buffered). */
  get idle(): boolean {
    return this.depth === 0 && this.pendingBytes === 0;
  }

  /** Feeds one chunk; calls onValue for each value it completes. Throws OvsdbProtocolError. */
  push(chunk: Buffer): void {
    if (this.failure) throw this.failure;
    const length = chunk.length;
    let i = 0;
    // Start of the current value's bytes within this chunk (when depth > 0).
    let start = 0;
    while (i < length) {
      if (this.depth === 0) {
        const byte = chunk[i];
        if (byte === OPEN_BRACE) {
          this.depth = 1;
          this.started = true;
          start = i;
          i++;
        } else if (isWhitespace(byte)) {
          i++;
        } else if (!this.started) {
          this.fail(describeForeignProtocol(chunk.subarray(i, i + 64)));
        } else {
          this.fail(`expected "{" between messages, got ${describeByte(byte)} at stream offset +${i}`);
        }
        continue;
      }
      if (this.inString) {
        i = this.scanString(chunk, i);
        continue;
      }
      const byte = chunk[i++];
      if (byte === QUOTE) {
        this.inString = true;
      } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        if (++this.depth > this.maxDepth) this.fail(`JSON nested deeper than ${this.maxDepth} levels`);
      } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        if (--this.depth === 0) this.emit(chunk, start, i);
      }
    }
    if (this.depth > 0) {
      const rest = length - start;
      if (this.pendingBytes + rest > this.maxFrameBytes) this.tooLarge(this.pendingBytes + rest);
      if (rest > 0) {
        this.decodePart(start === 0 ? chunk : chunk.subarray(start));
        this.pendingBytes += rest;
      }
    }
  }

  /** Forgets any partial value and a previous failure (for reuse on a new connection). */
  reset(): void {
    this.dropPartial();
    this.started = false;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.failure = undefined;
  }

  /**
   * Scans string content from `from`, jumping from quote to quote with indexOf; a quote
   * ends the string unless an odd run of backslashes precedes it. Returns the next index.
   */
  private scanString(chunk: Buffer, from: number): number {
    let segmentStart = from;
    for (;;) {
      const quote = chunk.indexOf(QUOTE, segmentStart);
      const end = quote < 0 ? chunk.length : quote;
      let run = 0;
      while (end - run > segmentStart && chunk[end - run - 1] === BACKSLASH) run++;
      // A run reaching back to where this segment started continues the carried state.
      const oddRun = run === end - segmentStart && this.escaped ? (run & 1) === 0 : (run & 1) === 1;
      if (quote < 0) {
        this.escaped = oddRun;
        return chunk.length;
      }
      this.escaped = false;
      if (!oddRun) {
        this.inString = false;
        return quote + 1;
      }
      segmentStart = quote + 1;
    }
  }

  private emit(chunk: Buffer, start: number, end: number): void {
    const total = this.pendingBytes + end - start;
    if (total > this.maxFrameBytes) this.tooLarge(total);
    let text: string;
    if (this.pendingBytes === 0) {
      // The decoder turns every invalid sequence into U+FFFD, so a text without one came from
      // valid UTF-8: the bytes are checked only when it has one (no second pass, no view).
      text = chunk.toString('utf8', start, end);
      if (text.includes('\uFFFD') && !isUtf8(chunk.subarray(start, end))) this.fail('message is not valid UTF-8');
    } else {
      this.decodePart(chunk.subarray(start, end));
      if (this.carry !== undefined) this.fail('message is not valid UTF-8');
      text = this.parts.length === 1 ? this.parts[0] : this.parts.join('');
      this.dropPartial();
    }
    if (this.claim !== undefined && this.claim(text)) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      this.fail(`invalid JSON: ${(error as Error).message}`);
    }
    this.onValue(value);
  }

  /** Decodes the complete UTF-8 characters of `bytes` (after any carried bytes) into `parts`; keeps a copy of a split last character. */
  private decodePart(bytes: Buffer): void {
    if (this.carry !== undefined) {
      const carry = this.carry;
      const missing = utf8SequenceLength(carry[0]) - carry.length;
      if (bytes.length < missing) {
        this.carry = Buffer.concat([carry, bytes]);
        return;
      }
      this.carry = undefined;
      const character = Buffer.concat([carry, bytes.subarray(0, missing)]);
      if (!isUtf8(character)) this.fail('message is not valid UTF-8');
      this.parts.push(character.toString('utf8'));
      bytes = bytes.subarray(missing);
    }
    const complete = completeUtf8Length(bytes);
    const whole = complete === bytes.length ? bytes : bytes.subarray(0, complete);
    if (!isUtf8(whole)) this.fail('message is not valid UTF-8');
    if (whole.length > 0) this.parts.push(whole.toString('utf8'));
    if (complete < bytes.length) this.carry = Buffer.from(bytes.subarray(complete));
  }

  private dropPartial(): void {
    this.parts = [];
    this.carry = undefined;
    this.pendingBytes = 0;
  }

  private tooLarge(bytes: number): never {
    this.fail(`message of ${bytes}+ bytes exceeds the ${this.maxFrameBytes}-byte limit`);
  }

  private fail(message: string): never {
    this.dropPartial();
    this.failure = new OvsdbProtocolError(message);
    throw this.failure;
  }
}

/** Bytes in the UTF-8 sequence that `lead` starts (1 for anything that is not a multi-byte lead: isUtf8 judges it). */
function utf8SequenceLength(lead: number): number {
  return lead >= 0xf0 && lead <= 0xf4 ? 4 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xc2 && lead <= 0xdf ? 2 : 1;
}

/** Length of `bytes` without a multi-byte character cut short at its end (at most 3 bytes left out). */
function completeUtf8Length(bytes: Buffer): number {
  const length = bytes.length;
  for (let i = length - 1; i >= 0 && i >= length - 3; i--) {
    const byte = bytes[i];
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back for its lead
    return i + utf8SequenceLength(byte) > length ? i : length;
  }
  return length;
}

/** Protocols a misconfigured remote may point at, recognised by what their servers send first. */
const FOREIGN_PROTOCOLS: [(start: Buffer, text: string) => boolean, string][] = [
  [(_, text) => /^SSH-\d/.test(text), 'an SSH server?'],
  [(_, text) => /^HTTP\/\d/.test(text), 'an HTTP server?'],
  [(_, text) => /^-ERR |^-NOAUTH /.test(text), 'a Redis server?'],
  // A TLS record (alert 0x15 or handshake 0x16), version 3.x.
  [(start) => (start[0] === 0x15 || start[0] === 0x16) && start[1] === 0x03 && start[2] <= 0x04, 'a TLS server? use an ssl: remote'],
];

/** `the peer does not speak OVSDB JSON-RPC: it sent "SSH-2.0-OpenSSH_9.2p1" (an SSH server?)` */
function describeForeignProtocol(start: Buffer): string {
  const text = start.toString('latin1');
  const hint = FOREIGN_PROTOCOLS.find(([matches]) => matches(start, text))?.[1];
  const firstLine = text.split(/\r?\n/)[0];
  const shown = /^[\x20-\x7e]+$/.test(firstLine) ? JSON.stringify(firstLine) : `bytes ${[...start.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`;
  return `the peer does not speak OVSDB JSON-RPC: it sent ${shown}${hint ? ` (${hint})` : ''}`;
}

function describeByte(byte: number): string {
  return byte >= 0x20 && byte < 0x7f ? JSON.stringify(String.fromCharCode(byte)) : `byte 0x${byte.toString(16).padStart(2, '0')}`;
}
