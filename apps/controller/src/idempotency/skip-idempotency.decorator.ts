import { CustomDecorator, SetMetadata } from '@nestjs/common';

export const SKIP_IDEMPOTENCY = 'ovsfleet:skip-idempotency';

/** A POST whose answer must never be stored (it holds a secret): Idempotency-Key is refused there. */
export const SkipIdempotency = (): CustomDecorator<string> => SetMetadata(SKIP_IDEMPOTENCY, true);
