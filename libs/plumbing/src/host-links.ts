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
 * The host-side ends of veth pairs, in the host namespace: created and deleted through one
 * long-lived `ip` (no process start), listed with one `ip -json`.
 */
export class HostLinks {
  private readonly session: BatchSession;

  constructor(
    private readonly runner: Runner,
    private readonly netns: string | undefined,
  ) {
    this.session = sessionWith(runner, netns);
  }

  run(commands: readonly (readonly string[])[]): Promise<unknown> {
    return this.session.run(commands);
  }

  /** Whether a link of this name exists (asked through the session: no process start). */
  async exists(name: string): Promise<boolean> {
    try {
      await this.session.run([['link', 'show', 'dev', name]]);
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
  async delete(names: readonly string[]): Promise<Map<string, string>> {
    const ours = names.filter(isOurHostIfname);
    const failed = new Map<string, string>();
    if (ours.length === 0) return failed;
    try {
      await this.session.run(ours.map((name) => ['link', 'del', name]));
    } catch (error) {
      const byCommand = failuresByCommand(error);
      if (byCommand === null) {
        for (const name of ours) failed.set(name, error instanceof Error ? error.message : String(error));
        return failed;
      }
      for (const [index, message] of byCommand) {
        if (index < ours.length && !/Cannot find device/.test(message)) failed.set(ours[index], message || 'ip failed');
      }
    }
    return failed;
  }

  /** Every link of the host namespace, with details (kind), by name. */
  async list(): Promise<Map<string, IpLink>> {
    const { stdout } = await ipBatchIn(this.runner, this.netns, [['link', 'show']], { json: true, details: true });
    const [links] = parseJsonLines<IpLink[]>(stdout);
    return new Map((links ?? []).map((l) => [l.ifname, l]));
  }

  close(): Promise<void> {
    return this.session.close();
  }
}
