import { Inject, Injectable, Optional } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { ApiToken, CONTROLLER_CONFIG, ControllerConfig, sha256 } from '../config/controller-config';
import type { Principal } from './principal';

/** RFC 6750 b64token; longer than this is no token of ours and is not worth hashing. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const MAX_TOKEN_LENGTH = 1024;

/** The token in an `Authorization: Bearer <token>` header, or null when there is none or it is malformed. */
export function bearerToken(header: string | undefined): string | null {
  if (typeof header !== 'string' || header.length > MAX_TOKEN_LENGTH + 16) return null;
  const match = BEARER.exec(header);
  return match && match[1].length <= MAX_TOKEN_LENGTH ? match[1] : null;
}

export type DigestComparator = (a: Buffer, b: Buffer) => boolean;
/** Optional provider replacing crypto.timingSafeEqual, for tests that watch the comparisons. */
export const DIGEST_COMPARATOR = Symbol('DIGEST_COMPARATOR');

/**
 * Finds the configured token a request presents. The presented token is hashed and compared
 * with every configured hash, all of them every time, in constant time, so neither the
 * comparison nor the position of the matching token shows in the response time.
 */
@Injectable()
export class TokenAuthenticator {
  private readonly tokens: readonly ApiToken[];
  private readonly compare: DigestComparator;

  constructor(
    @Inject(CONTROLLER_CONFIG) config: Pick<ControllerConfig, 'tokens'>,
    @Optional() @Inject(DIGEST_COMPARATOR) compare?: DigestComparator,
  ) {
    this.tokens = config.tokens;
    this.compare = compare ?? timingSafeEqual;
  }

  /** The principal for an `Authorization` header value (also graphql-ws `connectionParams.authorization`), or null. */
  authenticate(header: string | undefined): Principal | null {
    const token = bearerToken(header);
    if (token === null) return null;
    const digest = sha256(token);
    let found: ApiToken | null = null;
    for (const candidate of this.tokens) {
      // Compare first, then check `found`: every token is compared whatever matched before.
      if (this.compare(digest, candidate.sha256) && found === null) found = candidate;
    }
    return found ? { name: found.name, role: found.role } : null;
  }
}
