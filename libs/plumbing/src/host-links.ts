import { CommandError, IpLink } from '@ovs-fleet/iproute';
import { isOurHostIfname } from './naming';
import { BatchSession, ipBatchIn, parseJsonLines, Runner, sessionWith } from './runner';

/** `Command failed: CMD (batch line N)` (a long-lived session) or `Command failed -:N` (one `ip -force -batch`). */
const FAILED_LINE = /^Command failed(?:: .* \(batch line (\d+)\)| -:(\d+))$/;

/**
 * The failing commands of an `ip -force -batch` error, by position in the batch, each with the
 * messages ip printed before it. Null when the error says nothing per command (ip died).
 */
export function failuresByCommand(error: unknown): Map<number, string> | null {
  if (!(error instanceof CommandError)) return null;
  const failures = new Map<number, string>();
  let messages: string[] = [];
  for (const line of error.stderr.split('\n')) {
    const marker = FAILED_LINE.exec(line.trim());
    if (marker) {
      failures.set(Number(marker[1] ?? marker[2]) - 1, messages.join('\n'));
      messages = [];
    } else if (line.trim() !== '') {
      messages.push(line.trim());
    }
  }
  return failures.size > 0 ? failures : null;
}

/**
 * How many deletions run at once, each on its own long-lived `ip`. The kernel waits for an RCU
 * grace period before it acknowledges each deleted device; deletions one after another pay one
 * each (about 20 ms here), deletions at once share them (8 at once cost about what one does).
 */
export const DELETE_WIDTH = 8;

/**
 * The host-side ends of veth pairs, in the host namespace: created and deleted through
 * long-lived `ip` processes (no process start), listed with one `ip -json`. Creations go
 * through one `ip`, in order; the names of a deletion are spread over up to DELETE_WIDTH of
 * them. Whatever is asked after a deletion runs after it, and a deletion after whatever was
 * asked before it, as with one `ip`.
 */
export class HostLinks {
  /** [0] takes creations and checks (and a deletion's first share); the others only deletions. */
  private readonly sessions: BatchSession[];
  /** Settles once every run/exists asked so far has. */
  private runsDone: Promise<unknown> = Promise.resolve();
  /** Settles once every deletion asked so far has. */
  private deletesDone: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly runner: Runner,
    private readonly netns: string | undefined,
  ) {
    this.sessions = [sessionWith(runner, netns)];
  }

  run(commands: readonly (readonly string[])[]): Promise<unknown> {
    const result = this.deletesDone.then(() => this.sessions[0].run(commands));
    this.runsDone = Promise.allSettled([this.runsDone, result]);
    return result;
  }

  /** Whether a link of this name exists (asked through the session: no process start). */
  async exists(name: string): Promise<boolean> {
    try {
      await this.run([['link', 'show', 'dev', name]]);
      return true;
    } catch (error) {
      if (error instanceof CommandError && /does not exist|Cannot find device/.test(error.stderr)) return false;
      throw error;
    }
  }

  /**
   * Deletes host ends (their peers go with them); only names of ours, and a missing one is fine.
   * Returns the names that could not be deleted, with ip's message.
   */
  delete(names: readonly string[]): Promise<Map<string, string>> {
    const ours = names.filter(isOurHostIfname);
    if (ours.length === 0) return Promise.resolve(new Map());
    const result = this.runsDone.then(() => this.deleteAtOnce(ours));
    this.deletesDone = Promise.allSettled([this.deletesDone, result]);
    return result;
  }

  private async deleteAtOnce(names: readonly string[]): Promise<Map<string, string>> {
    // Without long-lived sessions each share would start a process: then one batch is cheaper.
    const width = this.runner.session ? Math.min(DELETE_WIDTH, names.length) : 1;
    const shares = Array.from({ length: width }, (_, k) => names.filter((_, i) => i % width === k));
    const failed = new Map<string, string>();
    await Promise.all(
      shares.map(async (share, k) => {
        try {
          await this.session(k).run(share.map((name) => ['link', 'del', name]));
        } catch (error) {
          const byCommand = failuresByCommand(error);
          if (byCommand === null) {
            for (const name of share) failed.set(name, error instanceof Error ? error.message : String(error));
            return;
          }
          for (const [index, message] of byCommand) {
            if (index < share.length && !/Cannot find device/.test(message)) failed.set(share[index], message || 'ip failed');
          }
        }
      }),
    );
    return failed;
  }

  /** The k-th long-lived `ip`, started when first needed. */
  private session(k: number): BatchSession {
    return (this.sessions[k] ??= sessionWith(this.runner, this.netns));
  }

  /** Every link of the host namespace, with details (kind), by name. */
  async list(): Promise<Map<string, IpLink>> {
    const { stdout } = await ipBatchIn(this.runner, this.netns, [['link', 'show']], { json: true, details: true });
    const [links] = parseJsonLines<IpLink[]>(stdout);
    return new Map((links ?? []).map((l) => [l.ifname, l]));
  }

  async close(): Promise<void> {
    await Promise.all(this.sessions.map((session) => session.close()));
  }
}
