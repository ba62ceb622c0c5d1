import type { IncomingMessage, ServerResponse } from 'node:http';
import { AsyncLocalStorage } from 'node:async_hooks';
import { assignRequestId, chooseRequestId, requestContextMiddleware } from './request-context';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function exchange(incoming?: string | string[]): { req: IncomingMessage & { id?: unknown }; res: ServerResponse; headers: Map<string, unknown> } {
  const headers = new Map<string, unknown>();
  const req = { headers: incoming === undefined ? {} : { 'x-request-id': incoming } } as IncomingMessage;
  const res = { headersSent: false, setHeader: (name: string, value: unknown) => headers.set(name, value) } as unknown as ServerResponse;
  return { req, res, headers };
}

describe('request id', () => {
  it.each(['abc', 'req-42', '0f8e1c2a-7b7e-4c1e-9a51-2b8d9c1e0f00', 'trace:span.1_2', 'a'.repeat(128)])('keeps a sane incoming id %j', (id) => {
    expect(chooseRequestId(id)).toBe(id);
  });

  it.each([[undefined], [''], ['has space'], ['new\nline'], ['a'.repeat(129)], ['<script>'], ['ümlaut'], [['a', 'b']]])('replaces %j with a UUID', (id) => {
    expect(chooseRequestId(id as string | string[] | undefined)).toMatch(UUID);
  });

  it('is assigned once, set on the request and echoed in the response header', () => {
    const { req, res, headers } = exchange('caller-id-1');
    expect(assignRequestId(req, res)).toBe('caller-id-1');
    expect(assignRequestId(req, res)).toBe('caller-id-1');
    expect(req.id).toBe('caller-id-1');
    expect(headers.get('X-Request-Id')).toBe('caller-id-1');
  });

  it('is given by the middleware, which enters no AsyncLocalStorage (each would make every promise of the process pay a hook)', () => {
    const run = jest.spyOn(AsyncLocalStorage.prototype, 'run');
    const enterWith = jest.spyOn(AsyncLocalStorage.prototype, 'enterWith');
    try {
      const { req, res, headers } = exchange();
      const next = jest.fn();
      requestContextMiddleware(req, res, next);
      expect(next).toHaveBeenCalledTimes(1);
      expect(req.id).toMatch(UUID);
      expect(headers.get('X-Request-Id')).toBe(req.id);
      expect([run.mock.calls.length, enterWith.mock.calls.length]).toEqual([0, 0]);
    } finally {
      run.mockRestore();
      enterWith.mockRestore();
    }
  });
});
