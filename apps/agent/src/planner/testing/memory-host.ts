import { commands, type CommandBatch } from '@ovs-fleet/ovsdb';
import type { Attachment, AttachRequest } from '@ovs-fleet/plumbing';
import { actualStateFromReplica } from '../actual-state';
import { toCommandBatch } from '../command-batch';
import type { ActualHostState, ConvergencePlan } from '../types';
import { ContainerWorld } from './container-world';
import { MemoryOvsdb } from './memory-ovsdb';

/**
 * A host whose database is a MemoryOvsdb: a plan's OVSDB part goes through toCommandBatch and
 * the real command layer; its namespace part writes the rows libs/plumbing would (as its
 * store does, in transactions of their own), and `byHand` is an operator's ovs-vsctl.
 */
export class MemoryHost extends ContainerWorld {
  private constructor(readonly db: MemoryOvsdb) {
    super();
  }

  static async create(): Promise<MemoryHost> {
    return new MemoryHost(await MemoryOvsdb.create());
  }

  snapshot(): ActualHostState {
    return actualStateFromReplica(this.db.replica, this.probe);
  }

  /** Runs commands as one transaction, as `ovs-vsctl a -- b -- c` would. */
  async byHand(build: (batch: CommandBatch) => void): Promise<void> {
    const batch = commands(this.db);
    build(batch);
    await batch.execute();
  }

  async apply(plan: ConvergencePlan): Promise<void> {
    for (const detach of plan.namespace.detach) await this.detach(detach.hostIfname);
    await toCommandBatch(plan, commands(this.db)).execute();
    for (const { request } of plan.namespace.attach) await this.attach(request);
  }

  /** As plumbing's detach: the port row and the veth go. */
  async detach(hostIfname: string): Promise<void> {
    await this.byHand((batch) => batch.delPort(undefined, hostIfname, { ifExists: true }));
    this.links.delete(hostIfname);
  }

  /** As plumbing's attach: the veth, then the port with the attachment's record on its rows. */
  async attach(request: AttachRequest): Promise<Attachment> {
    const rows = this.plumb(request);
    const { spec, hostIfname } = rows.attachment;
    await this.byHand((batch) =>
      batch.addPort(spec.bridge, hostIfname, {
        tag: spec.tag ?? undefined,
        externalIds: rows.portExternalIds,
        interfaces: [{ name: hostIfname, mtuRequest: spec.mtu ?? undefined, externalIds: rows.interfaceExternalIds }],
      }),
    );
    return rows.attachment;
  }
}
