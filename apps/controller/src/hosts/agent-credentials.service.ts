import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { agentAclRules } from '@ovs-fleet/contracts';
import { NotFoundError } from '../common/api-errors';
import { REDIS } from '../redis/redis.module';
import { StateStore } from '../state/state-store';

export const agentUsername = (hostId: string): string => `agent-${hostId}`;

export interface AgentCredentials {
  username: string;
  password: string;
}

/**
 * Each host's agent gets its own Redis user (ACL): it may read its own desired state, use its
 * own queue and write its own status, reports and events, nothing else. Issuing credentials
 * again rotates the password; deleting the host removes the user. The controller's own Redis
 * user needs the ACL command for this.
 */
@Injectable()
export class AgentCredentialsService {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly store: StateStore,
  ) {}

  async issue(hostId: string): Promise<AgentCredentials> {
    if (!(await this.store.reader().host(hostId))) throw new NotFoundError('id', `host ${hostId} is not registered`);
    const password = randomBytes(32).toString('base64url');
    await this.redis.call('ACL', 'SETUSER', agentUsername(hostId), ...agentAclRules(hostId, password));
    return { username: agentUsername(hostId), password };
  }

  async revoke(hostId: string): Promise<void> {
    await this.redis.call('ACL', 'DELUSER', agentUsername(hostId));
  }
}
