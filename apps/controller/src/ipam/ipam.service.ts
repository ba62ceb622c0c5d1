import { Inject, Injectable } from '@nestjs/common';
import { SubnetRecord, isNetworkName } from '@ovs-fleet/contracts';
import type { Redis } from 'ioredis';
import { BadRequestError, ConflictError } from '../common/api-errors';
import { REDIS } from '../redis/redis.module';
import { ipamKeys, fieldOffset, offsetField } from './ipam-keys';
import { GroupWhileBusy } from '../common/group-while-busy';
import { CLAIM_NEXT, CLAIM_NEXT_MANY, CLAIM_REQUESTED, FIND_FREE, RELEASE, SLOTS_PER_CALL, encodeRanges } from './ipam-scripts';
import { parseAddress } from './ip-address';
import { addressAt, allocatableRanges, capacity, offsetOf, prefixLength, requestedOffset } from './subnet';

export interface AllocationRequest {
  network: string;
  subnet: SubnetRecord;
  /** Who holds the address (an attachment id): only it may release it. */
  owner: string;
  /** A static address ("198.18.0.5" or "198.18.0.5/24"); absent or null: the next free one. */
  requested?: string | null;
  /** The request field errors name, e.g. `addresses[1]`. */
  field: string;
}

export interface PeekRequest extends Omit<AllocationRequest, 'owner' | 'field'> {
  /** When given, an address this owner already holds counts as available to it. */
  owner?: string;
  field?: string;
}

export interface SubnetUsage {
  /** Addresses held in the subnet. */
  allocated: number;
  /** Addresses automatic allocation may hand out (see subnet.ts, capacity). */
  capacity: number;
}

export interface HeldAddress {
  /** With the subnet's prefix length, e.g. 198.18.0.5/24. */
  address: string;
  owner: string;
}

interface Plan {
  index: number;
  network: string;
  subnet: SubnetRecord;
  owner: string;
  field: string;
  /** The requested address's hash field, or null for the next free one. */
  requestedField: string | null;
  hash: string;
  cursor: string;
}

/** An address this call claimed (and must give back if the whole call is refused). */
interface Claim {
  plan: Plan;
  hashField: string;
  /** Automatic claims: the cursor before and after, so an undo can put it back. */
  cursorBefore?: string;
  cursorAfter?: string;
}

type ClaimNextReply = [1, string, string, string] | [0, string];
type ClaimedTogether = [1, string, string, string] | [0];

/** At most this many owners' automatic claims in one script call. */
const CLAIMS_PER_CALL = 256;
type ClaimRequestedReply = [1] | [2] | [0, string];

/**
 * Addresses of each network's subnets, held in Redis (keys: ipam-keys.ts). Every allocation
 * is one Lua script (ipam-scripts.ts), atomic in Redis: any number of controller processes
 * may allocate at once and never hand out one address twice. Bad input is refused before
 * Redis is touched; a refused allocation leaves Redis as it was.
 */
@Injectable()
export class IpamService {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /**
   * Allocates an address for `owner` and returns it with the prefix length (198.18.0.5/24).
   * A requested address the owner already holds is returned again; one held by someone
   * else is a ConflictError, as is a subnet with no free address. Without `requested`,
   * every call hands out a new address.
   */
  async allocate(network: string, subnet: SubnetRecord, owner: string, requested?: string | null, field = 'addresses'): Promise<string> {
    const [address] = await this.allocateMany([{ network, subnet, owner, requested, field }]);
    return address;
  }

  /**
   * All or nothing: the addresses in request order, or an error (the first in request
   * order among the requested addresses, then among the automatic ones) after every
   * address this call claimed has been released and the cursors put back. Requested
   * addresses are claimed first, so an automatic pick never takes one asked for in the
   * same call. Bad input is refused before Redis is touched.
   */
  async allocateMany(requests: readonly AllocationRequest[]): Promise<string[]> {
    return (await this.reserve(requests)).addresses;
  }

  /**
   * allocateMany, and a way to give the addresses back as if they had never been taken
   * (cursors put back unless someone allocated since): for a caller that allocates before it
   * has decided, and must leave Redis as it was when it then refuses.
   */
  async reserve(requests: readonly AllocationRequest[]): Promise<{ addresses: string[]; undo: () => Promise<void> }> {
    const plans = requests.map((request, index) => {
      if (typeof request.owner !== 'string' || request.owner === '') throw new BadRequestError('owner', 'must be a non-empty string');
      return this.plan(request, index, request.owner);
    });
    const addresses: string[] = new Array<string>(plans.length);
    const claims: Claim[] = [];
    try {
      const statics = plans.filter((plan) => plan.requestedField !== null);
      await settleAll(statics.map((plan) => this.claimRequested(plan, claims).then((address) => (addresses[plan.index] = address))));
      const bySubnet = groupBy(plans.filter((plan) => plan.requestedField === null), (plan) => plan.hash);
      // One subnet's automatic claims one after the other: an undo then knows the cursor's first and last value.
      await settleAll(
        [...bySubnet.values()].map(async (group) => {
          for (const plan of group) addresses[plan.index] = await this.claimNext(plan, claims);
        }),
      );
      return { addresses, undo: () => this.undo(claims) };
    } catch (error) {
      await this.undo(claims);
      throw error;
    }
  }

  /** What allocate would return now, allocating nothing (dry runs). */
  async peek(network: string, subnet: SubnetRecord, requested?: string | null, field = 'addresses', owner?: string): Promise<string> {
    const [address] = await this.peekMany([{ network, subnet, requested, field, owner }]);
    return address;
  }

  /** What allocateMany would return now, allocating nothing; distinct addresses for distinct automatic requests. */
  async peekMany(requests: readonly PeekRequest[]): Promise<string[]> {
    const plans = requests.map((request, index) => this.plan({ ...request, field: request.field ?? 'addresses' }, index, request.owner ?? ''));
    const addresses: string[] = new Array<string>(plans.length);
    const statics = plans.filter((plan) => plan.requestedField !== null);
    const holders = await Promise.all(statics.map((plan) => this.redis.hget(plan.hash, plan.requestedField as string)));
    statics.forEach((plan, i) => {
      const holder = holders[i];
      const hashField = plan.requestedField as string;
      if (holder !== null && holder !== plan.owner) throw this.heldError(plan, hashField, holder);
      addresses[plan.index] = this.addressOf(plan, hashField);
    });
    const bySubnet = groupBy(plans.filter((plan) => plan.requestedField === null), (plan) => plan.hash);
    await Promise.all(
      [...bySubnet.values()].map(async (group) => {
        const excluded = statics.filter((plan) => plan.hash === group[0].hash).map((plan) => plan.requestedField as string);
        const free = await this.findFree(group[0], group.length, excluded);
        group.forEach((plan, i) => {
          if (free[i] === undefined) throw this.exhaustedError(plan);
          addresses[plan.index] = this.addressOf(plan, free[i]);
        });
      }),
    );
    return addresses;
  }

  /** Releases `address` (with or without prefix length) if `owner` holds it; true when it did. */
  async release(network: string, cidr: string, address: string, owner: string): Promise<boolean> {
    const bare = typeof address === 'string' ? address.split('/')[0] : '';
    if (parseAddress(bare) === null) throw new BadRequestError('address', `"${String(address)}" is not an IP address`);
    const offset = offsetOf(cidr, bare);
    if (offset === null) return false;
    const released = await RELEASE.run(this.redis, [ipamKeys.addresses(network, cidr), ipamKeys.cursor(network, cidr)], ['', '', offsetField(offset), owner]);
    return released === 1;
  }

  /** Releases every address `owner` holds in the subnet; returns how many. */
  async releaseOwner(network: string, cidr: string, owner: string): Promise<number> {
    const hash = ipamKeys.addresses(network, cidr);
    const held = (await this.scan(hash)).filter(([, holder]) => holder === owner).map(([hashField]) => hashField);
    if (held.length === 0) return 0;
    const args = ['', '', ...held.flatMap((hashField) => [hashField, owner])];
    return Number(await RELEASE.run(this.redis, [hash, ipamKeys.cursor(network, cidr)], args));
  }

  /** Forgets every address of these subnets of the network (the network, or those subnets, are gone). */
  async dropNetwork(network: string, cidrs: readonly string[]): Promise<void> {
    if (cidrs.length === 0) return;
    await this.redis.del(...cidrs.flatMap((cidr) => [ipamKeys.addresses(network, cidr), ipamKeys.cursor(network, cidr)]));
  }

  async usage(network: string, subnet: SubnetRecord): Promise<SubnetUsage> {
    return { allocated: await this.redis.hlen(ipamKeys.addresses(network, subnet.cidr)), capacity: capacity(subnet) };
  }

  /** Every address held in the subnet, in address order. */
  async allocations(network: string, cidr: string): Promise<HeldAddress[]> {
    const entries = (await this.scan(ipamKeys.addresses(network, cidr))).map(([hashField, owner]) => ({ offset: fieldOffset(hashField), owner }));
    entries.sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
    const length = prefixLength(cidr);
    return entries.map(({ offset, owner }) => ({ address: `${addressAt(cidr, offset)}/${length}`, owner }));
  }

  private plan(request: Omit<AllocationRequest, 'owner'>, index: number, owner: string): Plan {
    const { network, subnet, requested, field } = request;
    if (!isNetworkName(network)) throw new BadRequestError('network', `"${String(network)}" is not a network name`);
    const requestedField = requested === undefined || requested === null ? null : offsetField(requestedOffset(subnet, requested, field));
    return {
      index,
      network,
      subnet,
      owner,
      field,
      requestedField,
      hash: ipamKeys.addresses(network, subnet.cidr),
      cursor: ipamKeys.cursor(network, subnet.cidr),
    };
  }

  private async claimRequested(plan: Plan, claims: Claim[]): Promise<string> {
    const hashField = plan.requestedField as string;
    const reply = (await CLAIM_REQUESTED.run(this.redis, [plan.hash], [hashField, plan.owner])) as ClaimRequestedReply;
    if (reply[0] === 0) throw this.heldError(plan, hashField, reply[1]);
    if (reply[0] === 1) claims.push({ plan, hashField });
    return this.addressOf(plan, hashField);
  }

  /**
   * The next free address of the subnet for the plan's owner: with the automatic claims other
   * requests make of the subnet meanwhile, in one script call (one round trip for a burst of
   * requests, each claim as it would have been alone); past that call's budget of slots
   * (a nearly full subnet), alone, as many calls as it takes.
   */
  private async claimNext(plan: Plan, claims: Claim[]): Promise<string> {
    const ranges = encodeRanges(allocatableRanges(plan.subnet));
    const together = await this.claimTogether(plan, ranges);
    const reply = together[0] === 1 ? together : await this.claimAlone(plan, ranges);
    const [, hashField, cursorBefore, cursorAfter] = reply;
    claims.push({ plan, hashField, cursorBefore, cursorAfter });
    return this.addressOf(plan, hashField);
  }

  /** Automatic claims of one subnet (with the same allocatable ranges) waiting for the call in flight. */
  private readonly claimGroups = new Map<string, GroupWhileBusy<string, ClaimedTogether>>();

  private claimTogether(plan: Plan, ranges: string[]): Promise<ClaimedTogether> {
    const key = `${plan.hash}\n${plan.cursor}\n${ranges.join(' ')}`;
    let group = this.claimGroups.get(key);
    if (!group) {
      const claimMany = async (owners: string[]) =>
        (await CLAIM_NEXT_MANY.run(this.redis, [plan.hash, plan.cursor], [SLOTS_PER_CALL, owners.length, ...owners, ...ranges])) as ClaimedTogether[];
      group = new GroupWhileBusy(claimMany, { max: CLAIMS_PER_CALL, onIdle: () => this.claimGroups.delete(key) });
      this.claimGroups.set(key, group);
    }
    return group.run(plan.owner);
  }

  private async claimAlone(plan: Plan, ranges: string[]): Promise<[1, string, string, string]> {
    const total = Number(ranges[0]);
    let start = '';
    for (let scanned = 0; scanned < total; scanned += SLOTS_PER_CALL) {
      const reply = (await CLAIM_NEXT.run(this.redis, [plan.hash, plan.cursor], [plan.owner, start, SLOTS_PER_CALL, ...ranges])) as ClaimNextReply;
      if (reply[0] === 1) return reply;
      start = reply[1];
    }
    throw this.exhaustedError(plan);
  }

  /** Up to `count` free hash fields, in the order automatic allocation would take them. */
  private async findFree(plan: Plan, count: number, excluded: string[]): Promise<string[]> {
    const ranges = encodeRanges(allocatableRanges(plan.subnet));
    const total = Number(ranges[0]);
    const found: string[] = [];
    let start = '';
    for (let scanned = 0; scanned < total && found.length < count; scanned += SLOTS_PER_CALL) {
      const args = [count - found.length, start, SLOTS_PER_CALL, excluded.length, ...excluded, ...ranges];
      const [next, ...free] = (await FIND_FREE.run(this.redis, [plan.hash, plan.cursor], args)) as string[];
      found.push(...free);
      start = next;
    }
    return found;
  }

  /** Gives back what this call claimed, and each subnet's cursor unless someone allocated since. */
  private async undo(claims: Claim[]): Promise<void> {
    const bySubnet = groupBy(claims, (claim) => claim.plan.hash);
    await Promise.allSettled(
      [...bySubnet.values()].map((group) => {
        const automatic = group.filter((claim) => claim.cursorAfter !== undefined);
        const cursorNow = automatic.at(-1)?.cursorAfter ?? '';
        const cursorBefore = automatic[0]?.cursorBefore ?? '';
        const pairs = group.flatMap((claim) => [claim.hashField, claim.plan.owner]);
        return RELEASE.run(this.redis, [group[0].plan.hash, group[0].plan.cursor], [cursorNow, cursorBefore, ...pairs]);
      }),
    );
  }

  private async scan(hash: string): Promise<[string, string][]> {
    const entries: [string, string][] = [];
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(hash, cursor, 'COUNT', 1000);
      for (let i = 0; i < flat.length; i += 2) entries.push([flat[i], flat[i + 1]]);
      cursor = next;
    } while (cursor !== '0');
    // HSCAN may return an entry twice (when the hash is rehashed during the scan).
    return [...new Map(entries)];
  }

  private addressOf(plan: Plan, hashField: string): string {
    return `${addressAt(plan.subnet, fieldOffset(hashField))}/${prefixLength(plan.subnet)}`;
  }

  private heldError(plan: Plan, hashField: string, holder: string): ConflictError {
    const address = addressAt(plan.subnet, fieldOffset(hashField));
    return new ConflictError(plan.field, `${address} in subnet ${plan.subnet.cidr} of network ${plan.network} is held by ${holder}`);
  }

  private exhaustedError(plan: Plan): ConflictError {
    return new ConflictError(plan.field, `subnet ${plan.subnet.cidr} of network ${plan.network} has no free address`);
  }
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

/** Waits for every promise (so nothing is still claiming when an undo runs), then throws the first failure in order. */
async function settleAll(promises: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
}
