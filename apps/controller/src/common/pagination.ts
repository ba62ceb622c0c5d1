import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import type { Redis } from 'ioredis';

export class PageQuery {
  @ApiPropertyOptional({ description: 'Items per page (1..500, default 100).', minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page.' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/, { message: 'must be the nextCursor of a previous page' })
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

/** Names after `cursor` in a sorted set whose scores are all 0 (lexicographic order). */
export async function pageOfNames(redis: Redis, index: string, query: PageQuery): Promise<{ names: string[]; nextCursor: string | null }> {
  const limit = query.limit ?? 100;
  const start = query.cursor ? `(${Buffer.from(query.cursor, 'base64url').toString('utf8')}` : '-';
  const names = await redis.zrangebylex(index, start, '+', 'LIMIT', 0, limit + 1);
  const more = names.length > limit;
  const page = more ? names.slice(0, limit) : names;
  return { names: page, nextCursor: more ? Buffer.from(page[page.length - 1], 'utf8').toString('base64url') : null };
}

/** A page of items held in memory (e.g. one host's document), in the order of `keyOf`, the cursor being the last key served. */
export function pageOfItems<T>(items: readonly T[], keyOf: (item: T) => string, query: PageQuery): Page<T> {
  const limit = query.limit ?? 100;
  const after = query.cursor ? Buffer.from(query.cursor, 'base64url').toString('utf8') : null;
  const sorted = [...items].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  const rest = after === null ? sorted : sorted.filter((item) => keyOf(item) > after);
  const page = rest.slice(0, limit);
  return { items: page, nextCursor: rest.length > limit ? Buffer.from(keyOf(page[page.length - 1]), 'utf8').toString('base64url') : null };
}
