/**
 * The client's turnaround, one transaction at a time: from the 'data' event that brings a
 * reply's bytes to the first write on the same connection after it (the next request),
 * measured alike for every contender of ours and without touching its code. Every client
 * socket its process opens once the meter is installed (node:net's `net.client.socket`
 * diagnostics channel: libs/ovsdb and the raw writer both connect through node:net) gets
 * a 'data' listener ahead of its own and, once connected, its write wrapped: one timestamp
 * each.
 * Only the time while recording counts: an arrival before `start` (the previous segment's
 * last reply, the raw writer's monitor reply) gives no sample.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Duplex } from 'node:stream';
import { median } from './rounds';

const CLIENT_SOCKET_CHANNEL = 'net.client.socket';

export class TurnaroundMeter {
  private readonly samples: number[] = [];
  /** When recording started; undefined while not recording. */
  private since: bigint | undefined;
  private readonly onSocket = (message: unknown) => this.watch((message as { socket: Duplex }).socket);

  /** `clock`: nanoseconds. */
  constructor(private readonly clock: () => bigint = process.hrtime.bigint) {}

  /** A meter watching every client socket this process opens from now on, until `close`. */
  static install(clock?: () => bigint): TurnaroundMeter {
    const meter = new TurnaroundMeter(clock);
    subscribe(CLIENT_SOCKET_CHANNEL, meter.onSocket);
    return meter;
  }

  close(): void {
    unsubscribe(CLIENT_SOCKET_CHANNEL, this.onSocket);
  }

  watch(socket: Duplex): void {
    let arrived: bigint | undefined;
    socket.prependListener('data', () => {
      arrived = this.clock();
    });
    // On 'connect' (this listener comes first): Socket#connect puts back the prototype's write.
    socket.once('connect', () => {
      const write = socket.write as (...args: unknown[]) => boolean;
      socket.write = ((...args: unknown[]) => {
        if (arrived !== undefined && this.since !== undefined && arrived >= this.since) this.samples.push(Number(this.clock() - arrived) / 1000);
        arrived = undefined;
        return write.apply(socket, args);
      }) as typeof socket.write;
    });
  }

  /** Counts turnarounds from now on (arrivals before now do not count). */
  start(): void {
    this.since = this.clock();
  }

  stop(): void {
    this.since = undefined;
  }

  get count(): number {
    return this.samples.length;
  }

  /** The median turnaround recorded, microseconds; undefined with none. */
  medianUs(): number | undefined {
    return this.samples.length === 0 ? undefined : median(this.samples);
  }
}
