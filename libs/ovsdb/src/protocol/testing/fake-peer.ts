import { Duplex } from 'node:stream';

/** The peer's end of an in-memory connection, for specs: records what the client writes, lets the test push what the server would send. */
export function fakePeer() {
  const writes: string[] = [];
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      writes.push(chunk.toString());
      callback();
    },
  });
  const sent = () => writes.join('').match(/\{.*?\}(?=\{|$)/g)?.map((text) => JSON.parse(text)) ?? [];
  const deliver = (message: object | string) => stream.push(typeof message === 'string' ? message : JSON.stringify(message));
  return { stream, writes, sent, deliver };
}
