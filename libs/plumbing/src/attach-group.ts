import { CommandError } from '@ovs-fleet/iproute';
import { announceSysctls, containerConfigCommands, hostCreateCommands } from './commands';
import { AttachError, ConflictError, InterfaceNotLiveError, PortRefusedError } from './errors';
import * as ids from './external-ids';
import { HostLinks } from './host-links';
import { AddedPort, PortRow, PortStore, VswitchdWait } from './port-store';
import { ipBatchInTarget, Prepared, PreparedBatch, prepareIpBatchInTarget, prepareSysctlInTarget, Runner } from './runner';
import { Attachment, AttachSpec, NamespaceTarget, ResolvedContainer } from './types';
import { UndoStack } from './undo-stack';

/** One attachment to plumb: validated, resolved, its name reserved. */
export interface PlumbJob {
  spec: AttachSpec;
  container: ResolvedContainer;
  hostName: string;
  attachmentId: string;
  /** The broken plumbing of this same attachment, removed first (a repair or a replumb). */
  replaces: PortRow | null;
}

export interface GroupContext {
  store: PortStore;
  runner: Runner;
  host: HostLinks;
  owner: string;
  wait: VswitchdWait;
}

/** One job's progress: what it has done (its undo), and the step it failed at. */
class JobRun {
  step = 'veth';
  failure: unknown = undefined;
  readonly undo = new UndoStack();
  announceSide: Prepared<readonly string[]> | null = null;
  containerSide: PreparedBatch | null = null;
  port: AddedPort | null = null;
  readonly attachment: Attachment;

  constructor(readonly job: PlumbJob) {
    const { spec, container } = job;
    this.attachment = {
      attachmentId: job.attachmentId,
      containerId: container.id,
      containerName: container.name,
      containerRef: container.typed,
      ifname: spec.ifname,
      bridge: spec.bridge,
      hostIfname: job.hostName,
      netnsPath: container.target.path,
      netnsInode: container.netnsInode,
      spec,
      state: 'pending',
    };
  }

  get alive(): boolean {
    return this.failure === undefined;
  }

  fail(step: string, error: unknown): void {
    if (!this.alive) return;
    this.step = step;
    this.failure = error;
  }
}

const alive = (runs: readonly JobRun[]): JobRun[] => runs.filter((r) => r.alive);

/**
 * Runs `write` on the items; a PortRefusedError fails only the item it names, and the others
 * are written again without it (the store wrote nothing). Any other error fails them all.
 */
async function withRefusals(runs: JobRun[], step: string, write: (runs: JobRun[]) => Promise<void>): Promise<void> {
  let pending = runs;
  while (pending.length > 0) {
    try {
      await write(pending);
      return;
    } catch (error) {
      if (error instanceof PortRefusedError && error.index >= 0 && error.index < pending.length) {
        pending[error.index].fail(step, error);
        pending = pending.filter((_, i) => i !== error.index);
        continue;
      }
      for (const run of pending) run.fail(step, error);
      return;
    }
  }
}

const fileExists = (error: unknown): boolean => error instanceof CommandError && /File exists/.test(error.stderr);

async function containerHasInterface(runner: Runner, target: NamespaceTarget, ifname: string): Promise<boolean> {
  try {
    await ipBatchInTarget(runner, target, [['link', 'show', 'dev', ifname]]);
    return true;
  } catch {
    return false;
  }
}

/**
 * The veth pair, peer born in the container. "File exists" means our host end is there already
 * (a leftover no record names: a crash, or its OVS port deleted by hand; the name is ours, so
 * it goes) or the container has an interface of that name (a conflict, said as such).
 */
async function createVeth(ctx: GroupContext, job: PlumbJob): Promise<void> {
  const commands = hostCreateCommands(job.spec, job.hostName, job.container.target);
  let failure = await fileExistsFrom(ctx, commands);
  if (failure === undefined) return;
  if (await ctx.host.exists(job.hostName)) {
    if ((await ctx.host.delete([job.hostName])).size > 0) throw failure;
    failure = await fileExistsFrom(ctx, commands);
    if (failure === undefined) return;
  }
  if (await containerHasInterface(ctx.runner, job.container.target, job.spec.ifname)) {
    throw new ConflictError(`interface ${job.spec.ifname} already exists in the container`, ['ifname'], { cause: failure });
  }
  throw failure;
}

/** Runs the creation: undefined when it worked, the "File exists" error when it met one; any other error is thrown. */
async function fileExistsFrom(ctx: GroupContext, commands: Parameters<GroupContext['host']['run']>[0]): Promise<unknown> {
  try {
    await ctx.host.run(commands);
    return undefined;
  } catch (error) {
    if (!fileExists(error)) throw error;
    return error;
  }
}

/** Removes what the jobs replace (a repair, a replumb): ports in one transaction, host ends in one batch. */
async function removeReplaced(ctx: GroupContext, runs: JobRun[]): Promise<void> {
  const replacing = runs.filter((r) => r.job.replaces !== null);
  if (replacing.length === 0) return;
  const rows = replacing.map((r) => r.job.replaces!);
  const [ports, links] = await Promise.allSettled([
    ctx.store.deletePorts(rows.flatMap((row) => (row.portUuid === null ? [] : [row.portUuid])), ctx.wait),
    ctx.host.delete(rows.map((row) => row.name)),
  ]);
  for (const run of replacing) {
    if (ports.status === 'rejected') run.fail('replace', ports.reason);
    else if (links.status === 'rejected') run.fail('replace', links.reason);
    else if (links.value.has(run.job.hostName)) run.fail('replace', new Error(links.value.get(run.job.hostName)));
  }
}

async function startVeth(ctx: GroupContext, run: JobRun): Promise<void> {
  const { job } = run;
  // Its undo goes first: the name is ours (prefix + hash of this container and interface) and reserved.
  run.undo.push(`delete veth ${job.hostName}`, async () => {
    const failed = await ctx.host.delete([job.hostName]);
    if (failed.size > 0) throw new Error(failed.get(job.hostName));
  });
  const created = createVeth(ctx, job);
  created.catch(() => undefined);
  // While ip creates it, the container-side processes start, ahead of their input (see
  // prepare() in @ovs-fleet/iproute): their start-up is then off the path of the steps below.
  if (announceSysctls(job.spec).length > 0) run.announceSide = prepareSysctlInTarget(ctx.runner, job.container.target);
  run.containerSide = prepareIpBatchInTarget(ctx.runner, job.container.target);
  try {
    await created;
  } catch (error) {
    run.fail('veth', error);
  }
}

/** One transaction for every port, one ovs-vswitchd reconfiguration; the announcement sysctls meanwhile. */
async function addPortsAndAnnounce(ctx: GroupContext, runs: JobRun[]): Promise<void> {
  const announced = runs.map((run) => (run.announceSide ? run.announceSide.run(announceSysctls(run.job.spec)) : Promise.resolve()));
  for (const promise of announced) promise.catch(() => undefined);
  await withRefusals(runs, 'ovs-port', async (pending) => {
    const added = await ctx.store.addPorts(
      pending.map(({ job, attachment }) => ({
        bridge: job.spec.bridge,
        name: job.hostName,
        tag: job.spec.tag,
        trunks: job.spec.trunks,
        mtuRequest: job.spec.mtu,
        interfaceExternalIds: ids.interfaceExternalIds(ctx.owner, attachment),
        portExternalIds: ids.portExternalIds(ctx.owner, attachment),
      })),
      ctx.wait,
    );
    added.forEach((port, i) => {
      const run = pending[i];
      run.port = port;
      run.undo.push(`delete OVS port ${run.job.hostName}`, () => ctx.store.deletePorts([port.portUuid], ctx.wait));
    });
  });
  const outcomes = await Promise.allSettled(announced);
  outcomes.forEach((outcome, i) => {
    if (outcome.status === 'rejected') runs[i].fail('announce-sysctl', outcome.reason);
  });
  if (ctx.wait.vswitchdTimeoutMs === 0) return;
  for (const run of alive(runs)) {
    const { ofport, error } = run.port!;
    // The port must be live before the interface comes up, or the announcement is lost.
    if (ofport === null || ofport < 1) run.fail('ovs-vswitchd', new InterfaceNotLiveError(run.job.hostName, ofport, error));
  }
}

async function configureContainers(runs: JobRun[]): Promise<void> {
  await Promise.all(
    runs.map(async (run) => {
      try {
        await run.containerSide!.run(containerConfigCommands(run.job.spec));
      } catch (error) {
        run.fail('container-config', error);
      }
    }),
  );
}

/** `ovs-fleet-state=ready` on every port, one transaction (ovs-vswitchd does not act on external_ids). */
async function markReady(ctx: GroupContext, runs: JobRun[]): Promise<void> {
  await withRefusals(runs, 'mark-ready', async (pending) => {
    await ctx.store.updatePorts(
      pending.map((run) => ({ row: run.port!, externalIds: { [ids.STATE]: 'ready' } })),
      { vswitchdTimeoutMs: 0 },
    );
    for (const run of pending) run.attachment.state = 'ready';
  });
}

/** A failed job undoes what it did, newest first; a conflict found on the way is told as such. */
async function settle(run: JobRun): Promise<PromiseSettledResult<Attachment>> {
  if (run.alive) return { status: 'fulfilled', value: run.attachment };
  const rollbackErrors = await run.undo.unwind();
  if (run.failure instanceof ConflictError && rollbackErrors.length === 0) return { status: 'rejected', reason: run.failure };
  return { status: 'rejected', reason: new AttachError(run.step, run.failure, rollbackErrors) };
}

/**
 * Plumbs the jobs together: veths first (up: ovs-vswitchd must never see one down), then the
 * OVSDB side of all of them in one transaction and one ovs-vswitchd reconfiguration, then each
 * container's configuration, then one transaction marking them ready. Each job is all or
 * nothing on its own: a failed one undoes its own steps, the others go on. One outcome per job.
 */
export async function plumbTogether(ctx: GroupContext, jobs: readonly PlumbJob[]): Promise<PromiseSettledResult<Attachment>[]> {
  const runs = jobs.map((job) => new JobRun(job));
  try {
    await removeReplaced(ctx, runs);
    await Promise.all(alive(runs).map((run) => startVeth(ctx, run)));
    await addPortsAndAnnounce(ctx, alive(runs));
    await configureContainers(alive(runs));
    await markReady(ctx, alive(runs));
    return await Promise.all(runs.map(settle));
  } finally {
    // Whatever did not run exits without doing anything.
    for (const run of runs) {
      run.announceSide?.discard();
      run.containerSide?.discard();
    }
  }
}
