import fc from 'fast-check';
import { OvsdbProtocolError } from '../errors';
import { JsonFrameParser } from './framing';

function collect(options?: ConstructorParameters<typeof JsonFrameParser>[1]) {
  const values: unknown[] = [];
  const parser = new JsonFrameParser((value) => values.push(value), options);
  return { parser, values };
}

/** Splits `bytes` at the given cut points (any order, duplicates allowed). */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let previous = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(previous, point));
    previous = point;
  }
  chunks.push(bytes.subarray(previous));
  return chunks;
}

// Strings full of the characters that matter to the scanner: quotes, backslashes,
// brackets, multi-byte UTF-8 (2, 3 and 4 bytes) and control characters.
const trickyString = fc.string({
  unit: fc.constantFrom('"', '\\', '{', '}', '[', ']', 'a', ' ', '\n', 'é', '€', '😀', '\u0000', '\u2028'),
  maxLength: 20,
});
const trickyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    trickyString,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(trickyString, tie('value'), { maxKeys: 4 }),
  ),
})).value;
const message = fc.dictionary(trickyString, fc.oneof(trickyValue, fc.jsonValue()), { maxKeys: 5 });
const whitespace = fc.string({ unit: fc.constantFrom(' ', '\n', '\r', '\t'), maxLength: 3 });

describe('JsonFrameParser', () => {
  it('returns the same values whatever the chunk boundaries', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(message, whitespace), { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 30 }), (messages, cuts) => {
        const wire = Buffer.from(messages.map(([value, gap]) => gap + JSON.stringify(value)).join(''));
        const { parser, values } = collect();
        for (const chunk of split(wire, cuts)) parser.push(chunk);
        expect(values).toEqual(messages.map(([value]) => JSON.parse(JSON.stringify(value))));
        expect(parser.idle).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('handles one byte at a time, including inside escapes and multi-byte characters', () => {
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 3 }), (messages) => {
        const wire = Buffer.from(messages.map((value) => JSON.stringify(value)).join(''));
        const { parser, values } = collect();
        for (let i = 0; i < wire.length; i++) parser.push(wire.subarray(i, i + 1));
        expect(values).toEqual(messages.map((value) => JSON.parse(JSON.stringify(value))));
      }),
      { numRuns: 100 },
    );
  });

  it('keeps backslash runs straight across every split point', () => {
    for (let backslashes = 0; backslashes <= 5; backslashes++) {
      const text = '\\'.repeat(backslashes) + '"' + '}';
      const wire = Buffer.from(JSON.stringify({ s: text, t: '\\' }) + JSON.stringify({ u: 1 }));
      for (let cut = 0; cut <= wire.length; cut++) {
        const { parser, values } = collect();
        parser.push(wire.subarray(0, cut));
        parser.push(wire.subarray(cut));
        expect(values).toEqual([{ s: text, t: '\\' }, { u: 1 }]);
      }
    }
  });

  it('emits nothing for an unfinished value and keeps it buffered', () => {
    const { parser, values } = collect();
    parser.push(Buffer.from('{"a":[1,2,{"b":"}]'));
    expect(values).toEqual([]);
    expect(parser.idle).toBe(false);
    expect(parser.bufferedBytes).toBe(18);
    parser.push(Buffer.from('"}]}'));
    expect(values).toEqual([{ a: [1, 2, { b: '}]' }] }]);
    expect(parser.idle).toBe(true);
  });

  it.each([
    ['garbage between values', '{"a":1}x{"b":2}'],
    ['a top-level array', '[1,2]'],
    ['a top-level number', '42'],
    ['a top-level string', '"hi"'],
    ['a closing brace first', '}'],
    ['mismatched brackets', '{"a":[1}]'],
    ['invalid JSON inside braces', '{"a":}'],
    ['an unquoted key', '{a:1}'],
  ])('refuses %s', (_, text) => {
    const { parser } = collect();
    expect(() => parser.push(Buffer.from(text))).toThrow(OvsdbProtocolError);
  });

  it('refuses garbage at random positions in otherwise valid streams', () => {
    fc.assert(
      fc.property(message, fc.constantFrom('x', '1', '"', ']', '[', 'n'), fc.array(fc.nat(), { maxLength: 5 }), (value, junk, cuts) => {
        const wire = Buffer.from(JSON.stringify(value) + junk + JSON.stringify(value));
        const { parser } = collect();
        expect(() => {
          for (const chunk of split(wire, cuts)) parser.push(chunk);
        }).toThrow(OvsdbProtocolError);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses invalid UTF-8', () => {
    const { parser } = collect();
    expect(() => parser.push(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]))).toThrow(/UTF-8/);
  });

  it('accepts a U+FFFD that was sent as valid UTF-8, and refuses each kind of invalid sequence in one chunk', () => {
    const values: unknown[] = [];
    new JsonFrameParser((value) => values.push(value)).push(Buffer.from('{"a":"x\uFFFDy"}', 'utf8'));
    expect(values).toEqual([{ a: 'x\uFFFDy' }]);
    // A lone surrogate, overlong forms, a code point past U+10FFFF, a 5-byte lead, cut sequences.
    for (const hex of ['eda080', 'c080', 'e08080', 'f4908080', 'f888808080', 'e282', 'f09f98', 'c2']) {
      const parser = new JsonFrameParser(() => undefined);
      expect(() => parser.push(Buffer.concat([Buffer.from('{"a":"'), Buffer.from(hex, 'hex'), Buffer.from('"}')]))).toThrow('message is not valid UTF-8');
    }
  });

  it('refuses invalid UTF-8 in a value spanning chunks, wherever the chunks are cut', () => {
    const invalid = [
      [0xff], // never valid
      [0xe2, 0x82], // a 3-byte character cut short by the closing quote
      [0xf0, 0x9f, 0x98, 0x41], // a 4-byte character with a bad last byte
      [0xc3, 0x28], // a lead byte followed by an ASCII byte
    ];
    for (const bad of invalid) {
      const wire = Buffer.concat([Buffer.from('{"a":"' + 'x'.repeat(10) + '€'), Buffer.from(bad), Buffer.from('€"}')]);
      for (let cut = 1; cut < wire.length; cut++) {
        const { parser, values } = collect();
        expect(() => {
          parser.push(wire.subarray(0, cut));
          parser.push(wire.subarray(cut));
        }).toThrow(/UTF-8/);
        expect(values).toEqual([]);
      }
    }
  });

  it('decodes a large value arriving in many chunks, characters split at every position', () => {
    const text = '😀é€a'.repeat(5000);
    const wire = Buffer.from(JSON.stringify({ text }));
    for (const size of [1, 2, 3, 5, 64, 1000]) {
      const { parser, values } = collect();
      for (let i = 0; i < wire.length; i += size) parser.push(wire.subarray(i, i + size));
      expect(values).toEqual([{ text }]);
      expect(parser.idle).toBe(true);
    }
  });

  it('accepts a message of exactly the limit and refuses one byte more, even before it ends', () => {
    const exact = Buffer.from(JSON.stringify({ a: 'x'.repeat(93) }));
    expect(exact.length).toBe(101);
    const ok = collect({ maxFrameBytes: 101 });
    ok.parser.push(exact);
    expect(ok.values).toHaveLength(1);

    const tooBig = collect({ maxFrameBytes: 100 });
    expect(() => tooBig.parser.push(exact)).toThrow(/exceeds the 100-byte limit/);

    // An endless value is refused once it passes the limit: no unbounded buffering.
    const endless = collect({ maxFrameBytes: 1000 });
    endless.parser.push(Buffer.from('{"a":"'));
    expect(() => {
      for (let i = 0; i < 100; i++) endless.parser.push(Buffer.alloc(100, 0x61));
    }).toThrow(OvsdbProtocolError);
    expect(endless.parser.bufferedBytes).toBe(0);
  });

  it('refuses nesting deeper than maxDepth', () => {
    const deep = (n: number) => Buffer.from('{"a":' + '['.repeat(n - 1) + ']'.repeat(n - 1) + '}');
    const ok = collect({ maxDepth: 50 });
    ok.parser.push(deep(50));
    expect(ok.values).toHaveLength(1);
    expect(() => collect({ maxDepth: 50 }).parser.push(deep(51))).toThrow(/deeper than 50/);
    // Default limit protects JSON.parse's recursion from hostile input.
    expect(() => collect().parser.push(deep(100_000))).toThrow(OvsdbProtocolError);
  });

  it.each([
    ['an SSH banner', 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n', 'the peer does not speak OVSDB JSON-RPC: it sent "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3" (an SSH server?)'],
    ['an HTTP reply', 'HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n\r\n', 'the peer does not speak OVSDB JSON-RPC: it sent "HTTP/1.1 400 Bad Request" (an HTTP server?)'],
    ['a Redis error', "-ERR unknown command '{\"id\":1}'\r\n", 'the peer does not speak OVSDB JSON-RPC: it sent "-ERR unknown command \'{\\"id\\":1}\'" (a Redis server?)'],
    ['a TLS alert', '\x15\x03\x03\x00\x02\x02\x46', 'the peer does not speak OVSDB JSON-RPC: it sent bytes 15 03 03 00 02 02 46 (a TLS server? use an ssl: remote)'],
    ['anything else', 'hello\n', 'the peer does not speak OVSDB JSON-RPC: it sent "hello"'],
  ])('names another protocol spoken from the first byte: %s', (_, text, message) => {
    const { parser } = collect();
    expect(() => parser.push(Buffer.from(text, 'latin1'))).toThrow(new OvsdbProtocolError(message));
  });

  it('after the first message, garbage is garbage, not another protocol', () => {
    const { parser } = collect();
    expect(() => parser.push(Buffer.from('{"id":1} SSH-2.0-x'))).toThrow(/^expected "\{" between messages, got "S" at stream offset \+9$/);
  });

  it('stays failed after an error until reset', () => {
    const { parser, values } = collect();
    expect(() => parser.push(Buffer.from('x'))).toThrow(OvsdbProtocolError);
    expect(() => parser.push(Buffer.from('{}'))).toThrow(OvsdbProtocolError);
    parser.reset();
    parser.push(Buffer.from('{}'));
    expect(values).toEqual([{}]);
  });

  it('does not mistake brackets and braces inside strings for structure', () => {
    const { parser, values } = collect();
    parser.push(Buffer.from('{"a":"{{[[","b":"]]}}"}{"c":"\\"}"}'));
    expect(values).toEqual([{ a: '{{[[', b: ']]}}' }, { c: '"}' }]);
  });
});
