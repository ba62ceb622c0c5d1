import { randomUUID } from 'node:crypto';
import type { StateReads } from './state-transaction';

/**
 * What this process's last committed batch read and wrote, carried into its next batch while
 * no other writer has committed in between, so a batch reads from Redis only what it has not
 * seen: without it, every batch read and parsed again every attachment and the document of
 * each host it touched, a cost that grew with the fleet, not with the batch.
 *
 * Every commit swaps the state's generation token in Redis for a new one in its own atomic
 * step (state-commit.ts). The reads are kept only if the token swapped out is the one read when the
 * batch began (no commit by anyone in between), and handed to a batch only if Redis still
 * holds the token they were kept under: another controller process, a restore or a flush
 * each change or remove it. A token is random, so no other writer can make the same one.
 */
export class CommittedReads {
  private carried: { generation: string; reads: StateReads } | null = null;

  /** The reads to begin a batch with, if `generation` (read under the write lock) is still theirs; they are handed out once. */
  take(generation: string | null): StateReads | undefined {
    const carried = this.carried;
    this.carried = null;
    return carried && generation !== null && carried.generation === generation ? carried.reads : undefined;
  }

  /** A new generation token for a commit to write. */
  static nextGeneration(): string {
    return randomUUID();
  }

  /**
   * After a commit that wrote `written` over `swappedOut`: keeps `reads` if the batch began at
   * `began`, i.e. nothing else was committed between the batch's reads and its write.
   */
  keep(began: string | null, swappedOut: string | null, written: string, reads: StateReads): void {
    this.carried = began === swappedOut ? { generation: written, reads } : null;
  }
}
