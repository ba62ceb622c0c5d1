/**
 * The controller's REST API as a provisioning system calls it: fetch, a bearer token, JSON.
 * Every call names the status it expects and fails with the answer's body otherwise.
 */
import type { OperationView } from '../../../apps/controller/src/operations/operation-status';

export type { OperationView };

export interface OperationRef {
  id: string;
  targets: Record<string, number>;
}

export interface MutationAnswer {
  dryRun: boolean;
  operation: OperationRef | null;
  changes: { hostId: string; fromRevision: number; toRevision: number }[];
}

export interface AttachmentView {
  id: string;
  network: string;
  host: string;
  container: Record<string, string | number>;
  ifname: string;
  mac: string;
  addresses: string[];
  revision: number;
  status: { state: 'pending' | 'applied'; hostConnected: boolean };
}

export interface HostView {
  id: string;
  tunnelIp: string;
  datapathType: string;
  integrationBridge: string;
  status: { connected: boolean; appliedRevision: number; desiredRevision: number };
}

export class ApiCallError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} ${path}: HTTP ${status} ${body}`);
  }
}

export class FleetApi {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async call<T>(method: string, path: string, expected: number, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status !== expected) throw new ApiCallError(method, path, response.status, text);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path, 200);
  }

  /** A GraphQL request (POST /graphql); fails with the errors when the answer has any. */
  async graphql<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const answer = await this.call<{ data?: T; errors?: unknown[] }>('POST', '/graphql', 200, { query, variables });
    if (answer.errors?.length || !answer.data) throw new Error(`GraphQL: ${JSON.stringify(answer.errors)}`);
    return answer.data;
  }

  /** Blocks (server side) until the operation is applied or failed, or `waitS` passed. */
  operation(id: string, waitS = 30): Promise<OperationView> {
    return this.get<OperationView>(`/v1/operations/${id}?wait=${waitS}`);
  }
}
