import type { Type } from '@nestjs/common';
import { BadRequestError } from '../common/api-errors';
import { apiValidationPipe } from '../common/validation';

const pipe = apiValidationPipe();

/** `limit` -> `first`, `limit[0].x` -> `first[0].x`: the first segment of a field path renamed. */
function renamed(field: string, names: Record<string, string>): string {
  const [head] = field.split(/[.[]/, 1);
  return head in names ? `${names[head]}${field.slice(head.length)}` : field;
}

/**
 * GraphQL scalar arguments checked with a REST DTO class, through the same validation pipe
 * REST uses, so a value REST refuses is refused here with the same message. `values` is
 * keyed by the DTO's fields (null and undefined mean "not given"); `argumentNames` names
 * the arguments whose name differs from the DTO field, for the error's `field`.
 *
 *   const page = await validArgs(PageQuery, { limit: first, cursor: after }, { limit: 'first', cursor: 'after' });
 */
export async function validArgs<T extends object>(dto: Type<T>, values: Record<string, unknown>, argumentNames: Record<string, string> = {}): Promise<T> {
  const given = Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined && value !== null));
  try {
    return (await pipe.transform(given, { type: 'query', metatype: dto })) as T;
  } catch (error) {
    if (!(error instanceof BadRequestError)) throw error;
    throw BadRequestError.of(error.details.map((problem) => ({ ...problem, field: renamed(problem.field, argumentNames) })));
  }
}
