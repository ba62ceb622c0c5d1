/**
 * The lines of a stream (trimmed), each taken once, in order, by next(): the bench's side and
 * the segmented child's side of their line protocol (processes.ts, segments.ts).
 */
export class LineQueue {
  private readonly lines: string[] = [];
  private readonly waiting: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  private buffer = '';
  private closedWith: Error | undefined;

  constructor(input: NodeJS.ReadableStream) {
    input.setEncoding('utf8');
    input.on('data', (chunk: string | Buffer) => this.take(String(chunk)));
  }

  /** The next line; once the queue is closed and its lines taken, the close's error. */
  next(): Promise<string> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** No line will come: those waiting, and later next() calls past the lines left, get `error`. */
  close(error: Error): void {
    this.closedWith = error;
    for (const waiter of this.waiting.splice(0)) waiter.reject(error);
  }

  private take(text: string): void {
    this.buffer += text;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      const waiter = this.waiting.shift();
      if (waiter) waiter.resolve(line);
      else this.lines.push(line);
    }
  }
}
