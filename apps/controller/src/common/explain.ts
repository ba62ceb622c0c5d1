import { AsyncLocalStorage } from 'node:async_hooks';
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { GqlContextType, GqlExecutionContext } from '@nestjs/graphql';
import { Observable } from 'rxjs';
import { BadRequestError } from './api-errors';
import { httpRequestOf } from './http-host';

const storage = new AsyncLocalStorage<boolean>();
/** Explained dry runs being served. */
let explaining = 0;

/** True inside a dry run whose caller asked (`explain=true`) for each agent's own plan. */
export function wantsAgentPlans(): boolean {
  return storage.getStore() === true;
}

/**
 * `?dryRun=true&explain=true`: the dry run also asks each affected host's agent what it would
 * do (exact OVSDB operations, `ip` steps). The flag travels to the state store with the
 * request's async context rather than through every service's signature.
 */
@Injectable()
export class ExplainInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const type = context.getType<GqlContextType>();
    if (type === 'graphql') {
      // A mutation's arguments, already typed and defaulted by GraphQL (EXPLAIN, DRY_RUN).
      const args = GqlExecutionContext.create(context).getArgs<{ explain?: boolean | null; dryRun?: boolean | null }>();
      if (args.explain !== true) return next.handle();
      if (args.dryRun !== true) throw new BadRequestError('explain', 'only with dryRun: true: a real change is applied, not explained');
    } else {
      if (type !== 'http') return next.handle();
      const query = httpRequestOf<{ query?: Record<string, unknown> }>(context).query ?? {};
      if (query.explain === undefined || query.explain === 'false') return next.handle();
      if (query.explain !== 'true') throw new BadRequestError('explain', 'must be true or false');
      if (query.dryRun !== 'true') throw new BadRequestError('explain', 'only with dryRun=true: a real change is applied, not explained');
    }
    return new Observable((subscriber) => {
      explaining += 1;
      const subscription = storage.run(true, () => next.handle().subscribe(subscriber));
      return () => {
        subscription.unsubscribe();
        // Once no explained dry run is in flight, the storage's hook goes: while one is enabled, every promise of the process pays for it.
        if (--explaining === 0) storage.disable();
      };
    });
  }
}
