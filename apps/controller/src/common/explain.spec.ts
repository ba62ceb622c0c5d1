import { AsyncLocalStorage } from 'node:async_hooks';
import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { firstValueFrom, Observable } from 'rxjs';
import { ExplainInterceptor, wantsAgentPlans } from './explain';

function httpContext(query: Record<string, string>): ExecutionContext {
  return { getType: () => 'http', getArgByIndex: (index: number) => (index === 0 ? { query } : undefined) } as unknown as ExecutionContext;
}

/** A handler that answers what wantsAgentPlans() says inside it, once `release` is called. */
function handler(): { handler: CallHandler; release: () => void } {
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  return { handler: { handle: () => new Observable((s) => void gate.then(() => (s.next(wantsAgentPlans()), s.complete()))) }, release };
}

describe('ExplainInterceptor', () => {
  it('tells the dry run it asked for plans, and a request without explain that it did not', async () => {
    const interceptor = new ExplainInterceptor();
    const explained = handler();
    const plain = handler();
    const answers = Promise.all([
      firstValueFrom(interceptor.intercept(httpContext({ dryRun: 'true', explain: 'true' }), explained.handler)),
      firstValueFrom(interceptor.intercept(httpContext({ dryRun: 'true' }), plain.handler)),
    ]);
    explained.release();
    plain.release();
    expect(await answers).toEqual([true, false]);
  });

  it('turns its storage off once the last explained dry run in flight is answered (an enabled one makes every promise pay a hook)', async () => {
    const disable = jest.spyOn(AsyncLocalStorage.prototype, 'disable');
    try {
      const interceptor = new ExplainInterceptor();
      const [first, second] = [handler(), handler()];
      const answers = [first, second].map((h) => firstValueFrom(interceptor.intercept(httpContext({ dryRun: 'true', explain: 'true' }), h.handler)));
      first.release();
      expect(await answers[0]).toBe(true);
      expect(disable).not.toHaveBeenCalled();
      second.release();
      expect(await answers[1]).toBe(true);
      expect(disable).toHaveBeenCalledTimes(1);
    } finally {
      disable.mockRestore();
    }
  });
});
