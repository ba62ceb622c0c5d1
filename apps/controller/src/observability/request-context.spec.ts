import { AsyncLocalStorage } from 'node:async_hooks';
import { chooseRequestId, echoRequestIds, REQUEST_ID_HEADER } from './request-context';
import { listeningFastify } from './testing/fastify-harness';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request id', () => {
  it.each(['abc', 'req-42', '0f8e1c2a-7b7e-4c1e-9a51-2b8d9c1e0f00', 'trace:span.1_2', 'a'.repeat(128)])('keeps a sane incoming id %j', (id) => {
    expect(chooseRequestId(id)).toBe(id);
  });

  it.each([[undefined], [''], ['has space'], ['new\nline'], ['a'.repeat(129)], ['<script>'], ['ümlaut'], [['a', 'b']]])('replaces %j with a UUID', (id) => {
    expect(chooseRequestId(id as string | string[] | undefined)).toMatch(UUID);
  });

  it('is the request id Fastify gives the route, echoed in the response, and enters no AsyncLocalStorage (each would make every promise of the process pay a hook)', async () => {
    const seen: string[] = [];
    const server = await listeningFastify((fastify) => {
      echoRequestIds(fastify);
      fastify.get('/x', (request) => (seen.push(request.id), {}));
    });
    const run = jest.spyOn(AsyncLocalStorage.prototype, 'run');
    const enterWith = jest.spyOn(AsyncLocalStorage.prototype, 'enterWith');
    try {
      const kept = await server.send('GET', '/x', { 'x-request-id': 'caller-id-1' });
      const replaced = await server.send('GET', '/x', { 'x-request-id': 'not sane!' });
      expect(kept.headers[REQUEST_ID_HEADER.toLowerCase()]).toBe('caller-id-1');
      expect(replaced.headers[REQUEST_ID_HEADER.toLowerCase()]).toMatch(UUID);
      expect(seen).toEqual(['caller-id-1', replaced.headers[REQUEST_ID_HEADER.toLowerCase()]]);
      expect([run.mock.calls.length, enterWith.mock.calls.length]).toEqual([0, 0]);
    } finally {
      run.mockRestore();
      enterWith.mockRestore();
      await server.close();
    }
  });

  it('is echoed on an answer no route gave (a 404)', async () => {
    const server = await listeningFastify(echoRequestIds);
    try {
      const answer = await server.send('GET', '/nothing', { 'x-request-id': 'lost-1' });
      expect(answer.status).toBe(404);
      expect(answer.headers['x-request-id']).toBe('lost-1');
    } finally {
      await server.close();
    }
  });
});
