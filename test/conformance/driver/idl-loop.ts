/**
 * The pull loop of test-ovsdb.py over OvsdbIdl, which pushes: the replica is held between
 * "runs" (hold()), so it moves only while the driver waits for a change or commits, as
 * Python's IDL moves only inside idl.run(). `changeSeqno` stands for Python's
 * idl.change_seqno: it moves with every change notification of the replica and with every
 * resync after a reconnection.
 */
import type { ChangeEvent, ChangeSubscription, DatabaseMeta, OvsdbIdl } from '@ovs-fleet/ovsdb';

export type NotifyHook = (event: string, i: unknown, column: string | null) => void;

export class IdlLoop {
  /** 1: the initial sync, done before the loop starts. */
  changeSeqno = 1;
  /** Set by forceReconnect() until the new connection's sync: see waitForChange. */
  private reconnecting = false;
  private release: () => void;
  private readonly subscription: ChangeSubscription;
  private readonly notifyHooks: NotifyHook[] = [];

  constructor(
    private readonly idl: OvsdbIdl,
    /** idl.notify for each change the replicas notify (track-notify); hooks set by notifytest go first. */
    private readonly notify: ((event: ChangeEvent, step: number, schema: DatabaseMeta) => void) | undefined,
    /**
     * The events of `_Server`'s Database table (idl.serverReplica), subscribed to before the
     * first sync: Python's IDL notifies them too, but they never move its change_seqno.
     */
    private readonly serverEvents?: ChangeSubscription,
  ) {
    this.subscription = idl.replica.subscribe({ capacity: 1_000_000 });
    idl.on('resynced', (info) => {
      this.reconnecting = false;
      if (info.kind !== 'initial') this.changeSeqno++;
    });
    this.release = idl.hold();
  }

  /** `idl.notify = hook` for the next notification only (the hook puts the previous one back). */
  pushNotifyHook(hook: NotifyHook): void {
    this.notifyHooks.push(hook);
  }

  /**
   * idl.force_reconnect(): Python's IDL drops what the old connection still had unread, so
   * its change_seqno moves next with the new connection's monitor reply. Ours applies the
   * old connection's queued updates at once: the next wait also waits for the resync, or
   * the resync would count as a change of the step after it.
   */
  forceReconnect(): void {
    this.reconnecting = true;
    this.idl.forceReconnect();
  }

  /** Python's change_seqno += 1 outside a notification (a fetch reply). */
  bump(): void {
    this.changeSeqno++;
  }

  /** Processes the change notifications that arrived, as Python's idl.run() does. */
  drain(step: number): void {
    // Python's IDL takes _Server's updates first (it monitors that table first).
    if (this.serverEvents !== undefined) this.drainOne(this.serverEvents, this.idl.serverReplica.schema, step, false);
    this.drainOne(this.subscription, this.idl.replica.schema, step, true);
  }

  private drainOne(subscription: ChangeSubscription, schema: DatabaseMeta, step: number, movesSeqno: boolean): void {
    for (let event = subscription.poll(); event !== undefined; event = subscription.poll()) {
      if (movesSeqno) this.changeSeqno++;
      if (event.type === 'gap') throw new Error(`the replica dropped ${event.dropped} change notifications (${event.reason})`);
      const hook = this.notifyHooks.pop();
      if (hook) hook(event.type === 'insert' ? 'create' : event.type === 'modify' ? 'update' : 'delete', (event.new ?? event.old).i, firstChangedColumn(schema, event));
      else this.notify?.(event, step, schema);
    }
  }

  /** `while idl.change_seqno == seqno: idl.run()`: resumes on a change notification or a resync. */
  waitForChange(seqno: number, step: number): Promise<void> {
    return new Promise((resolve) => {
      this.release();
      const check = (): boolean => {
        this.drain(step);
        if (this.changeSeqno === seqno || this.reconnecting) return false;
        this.idl.off('resynced', onResync);
        this.release = this.idl.hold();
        resolve();
        return true;
      };
      const onResync = () => void check();
      if (check()) return;
      this.idl.on('resynced', onResync);
      void this.idl.replica.waitFor(() => check());
    });
  }

  close(): void {
    this.release();
    this.subscription.return?.();
    this.serverEvents?.return?.();
  }
}

/** The `updates` row of Python's notify holds the changed columns' old values; notifytest prints the first one's name. */
function firstChangedColumn(schema: DatabaseMeta, event: ChangeEvent): string | null {
  if (event.type !== 'modify') return null;
  const meta = schema.tables.get(event.table)!;
  return meta.columns.find((column) => event.old[column.name] !== event.new[column.name])?.name ?? null;
}
