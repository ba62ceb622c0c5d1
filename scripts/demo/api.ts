/**
 * The controller's REST API as the demo calls it, each call printed first as the `curl` line
 * a user can copy (with $TOKEN for the bearer token).
 */
export class DemoApi {
  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}

  async call<T = Record<string, unknown>>(method: string, path: string, body?: object, quiet = false): Promise<T> {
    if (!quiet) {
      const data = body ? ` -H 'Content-Type: application/json' -d '${JSON.stringify(body)}'` : '';
      console.log(`  $ curl -sS -X ${method} ${this.base}${path} -H "Authorization: Bearer $TOKEN"${data}`);
    }
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${this.token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${path}: HTTP ${response.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** Waits for an operation to finish on every host; throws unless it was applied. */
  async applied(operation: { id: string } | null): Promise<void> {
    if (!operation) return;
    const view = await this.call<{ state: string; message: string | null; hosts: { hostId: string; receipts: Record<string, string | null> }[] }>(
      'GET',
      `/v1/operations/${operation.id}?wait=30`,
    );
    if (view.state !== 'applied') throw new Error(`operation ${operation.id} ended ${view.state}: ${view.message}`);
    // No appliedAt: the host reached the revision outside a job (its agent's start-up reconcile), which writes no receipts.
    const spans = view.hosts.map((h) => (h.receipts.appliedAt && h.receipts.acceptedAt ? `${h.hostId} ${Date.parse(h.receipts.appliedAt) - Date.parse(h.receipts.acceptedAt)} ms` : `${h.hostId} (reached outside a job: no receipts)`));
    console.log(`    -> applied on ${spans.join(', ')}`);
  }
}
