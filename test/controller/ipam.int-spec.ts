/**
 * The IPAM against a real redis-server: exhaustion, static addresses, release, networks
 * sharing a CIDR, all-or-nothing batches, Lua arithmetic on large IPv6 offsets, and 1,000
 * concurrent allocations from two connections and a second Node process; calls whose reply
 * was lost, which ioredis sends again, take effect once.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fc from 'fast-check';
import { resolve } from 'node:path';
import type { SubnetRecord } from '@ovs-fleet/contracts';
import { Redis } from 'ioredis';
import { ApiError, BadRequestError, ConflictError } from '../../apps/controller/src/common/api-errors';
import { ipamKeys } from '../../apps/controller/src/ipam/ipam-keys';
import * as ipamScripts from '../../apps/controller/src/ipam/ipam-scripts';
import { SLOTS_PER_CALL } from '../../apps/controller/src/ipam/ipam-scripts';
import { AllocationRequest, IpamService } from '../../apps/controller/src/ipam/ipam.service';
import { addressAt, allocatableRanges, canonicalSubnet } from '../../apps/controller/src/ipam/subnet';
import { LuaScript, receiptKey } from '../../apps/controller/src/common/lua-script';
import { RedisTestServer } from '../support/redis-server';
import { ReplyDroppingProxy } from '../support/reply-dropping-proxy';

const REPO = resolve(__dirname, '../..');

const subnet = (cidr: string, more: Partial<SubnetRecord> = {}): SubnetRecord => canonicalSubnet({ cidr, ...more }, 'subnet');

/** Every key and its DUMP (the value's exact serialisation), to prove a refusal changed nothing. */
async function snapshot(redis: Redis): Promise<Map<string, string>> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  const dumps = new Map<string, string>();
  for (const key of keys.sort()) dumps.set(key, (await redis.dumpBuffer(key))?.toString('hex') ?? 'gone');
  return dumps;
}

async function refusal(action: Promise<unknown>): Promise<ApiError> {
  try {
    await action;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected the IPAM to refuse');
}

/** Fills slots straight into the IPAM's hash (faster than allocating thousands one by one). */
async function fill(redis: Redis, network: string, record: SubnetRecord, slots: number, owner: string): Promise<void> {
  const offsets: bigint[] = [];
  for (const range of allocatableRanges(record)) for (let o = range.first; o <= range.last && offsets.length < slots; o++) offsets.push(o);
  const hash = ipamKeys.addresses(network, record.cidr);
  for (let i = 0; i < offsets.length; i += 1000) {
    await redis.hset(hash, Object.fromEntries(offsets.slice(i, i + 1000).map((o) => [o.toString(16), owner])));
  }
}

/** A second Node process with its own connection and IpamService: waits for "go", allocates, prints the addresses as JSON. */
const CHILD = `
const { Redis } = require('ioredis');
const { IpamService } = require(${JSON.stringify(resolve(REPO, 'apps/controller/src/ipam/ipam.service.ts'))});
const job = JSON.parse(process.env.IPAM_CHILD_JOB);
const redis = new Redis(job.url);
const ipam = new IpamService(redis);
redis.ping().then(() => {
  process.stdout.write('ready\\n');
  process.stdin.once('data', async () => {
    process.stdin.destroy();
    const owners = Array.from({ length: job.count }, (_, i) => 'child-' + i);
    const results = await Promise.allSettled(owners.map((owner) => ipam.allocate(job.network, job.subnet, owner)));
    process.stdout.write(JSON.stringify(results.map((r) => (r.status === 'fulfilled' ? r.value : 'refused: ' + r.reason.message))) + '\\n');
    await redis.quit();
  });
});
`;

const children = new Set<AllocatorProcess>();

class AllocatorProcess {
  private output = '';
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;

  constructor(url: string, network: string, record: SubnetRecord, count: number) {
    this.child = spawn(process.execPath, ['--import', 'tsx', '--eval', CHILD], {
      cwd: REPO,
      env: { ...process.env, IPAM_CHILD_JOB: JSON.stringify({ url, network, subnet: record, count }) },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((done) => this.child.once('exit', (code) => done(code)));
    children.add(this);
  }

  async ready(timeoutMs = 30000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.output.includes('ready\n')) {
      if (this.child.exitCode !== null) throw new Error(`allocator process exited with ${this.child.exitCode}`);
      if (Date.now() > deadline) throw new Error(`allocator process not ready after ${timeoutMs} ms (output: ${this.output})`);
      await new Promise((done) => setTimeout(done, 20));
    }
  }

  async run(): Promise<string[]> {
    this.child.stdin?.end('go\n');
    const code = await this.exited;
    if (code !== 0) throw new Error(`allocator process exited with ${code}`);
    return JSON.parse(this.output.slice(this.output.indexOf('ready\n') + 6)) as string[];
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    children.delete(this);
  }
}

describe('IPAM on a real Redis', () => {
  let server: RedisTestServer;
  let redis: Redis;
  let ipam: IpamService;

  beforeAll(async () => {
    server = await RedisTestServer.start();
    redis = new Redis(server.url);
    ipam = new IpamService(redis);
  });

  afterAll(async () => {
    for (const child of children) child.kill();
    redis?.disconnect();
    await server?.dispose();
  });

  beforeEach(async () => {
    await redis.flushall();
  });

  it('property: whatever the subnet, gateway, pools and interleaving of concurrent allocations, requests and releases, no address is held twice, none reserved or outside the pools is handed out, and 409 comes only when every allowed address is held', async () => {
    // The allowed addresses, worked out here on plain IPv4 numbers rather than by the IPAM's own subnet code.
    const v4 = (address: string) => address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
    const dotted = (n: number) => [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');
    const subnetArb = fc.record({
      prefix: fc.integer({ min: 26, max: 30 }),
      gateway: fc.oneof(fc.constant<'first' | 'none' | number>('first'), fc.constant<'first' | 'none' | number>('none'), fc.integer({ min: 1, max: 62 })),
      pools: fc.array(fc.tuple(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 20 })), { maxLength: 2 }),
    });
    const opArb = fc.oneof(
      fc.record({ kind: fc.constant('allocate' as const), count: fc.integer({ min: 1, max: 12 }) }),
      fc.record({ kind: fc.constant('request' as const), offset: fc.integer({ min: 0, max: 63 }) }),
      fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
    );
    let owners = 0;
    await fc.assert(
      fc.asyncProperty(subnetArb, fc.array(opArb, { minLength: 1, maxLength: 12 }), async (shape, ops) => {
        await redis.flushall();
        const size = 2 ** (32 - shape.prefix);
        const base = v4('198.18.4.0');
        const gateway = shape.gateway === 'none' ? null : shape.gateway === 'first' ? base + 1 : base + (shape.gateway % (size - 2)) + 1;
        const pools = shape.pools
          .map(([start, length]) => [base + 1 + (start % (size - 2)), base + Math.min(size - 2, 1 + (start % (size - 2)) + length)] as const)
          .filter(([start, end]) => gateway === null || gateway < start || gateway > end) // a pool may not hold the gateway
          .filter(([start, end], i, all) => all.findIndex(([s, e]) => s <= end && start <= e) === i); // nor overlap another
        const record = subnet(`198.18.4.0/${shape.prefix}`, {
          ...(gateway === null ? { gateway: null } : shape.gateway === 'first' ? {} : { gateway: dotted(gateway) }),
          allocationPools: pools.map(([start, end]) => ({ start: dotted(start), end: dotted(end) })),
        });
        const allowed = new Set<number>();
        for (let n = base + 1; n < base + size - 1; n++) {
          if (n !== gateway && (pools.length === 0 || pools.some(([start, end]) => n >= start && n <= end))) allowed.add(n);
        }
        const held = new Map<number, string>(); // what this test was told it holds
        for (const op of ops) {
          if (op.kind === 'allocate') {
            const results = await Promise.allSettled(Array.from({ length: op.count }, () => ipam.allocate('blue', record, `o${++owners}`)));
            for (const [i, result] of results.entries()) {
              if (result.status === 'fulfilled') {
                const n = v4(result.value.split('/')[0]);
                expect(allowed.has(n)).toBe(true);
                expect(held.has(n)).toBe(false);
                held.set(n, `o${owners - op.count + i + 1}`);
              } else {
                expect(result.reason).toBeInstanceOf(ConflictError);
                expect((result.reason as ApiError).message).toMatch(/has no free address/);
              }
            }
            // a refusal only once every allowed address is held
            if (results.some((result) => result.status === 'rejected')) expect(held.size).toBe(allowed.size);
          } else if (op.kind === 'request') {
            const n = base + (op.offset % size);
            const owner = `o${++owners}`;
            const outcome = await ipam.allocate('blue', record, owner, dotted(n), 'addresses[0]').then(
              (address) => ({ address }),
              (error: unknown) => ({ error }),
            );
            if ('address' in outcome) {
              expect(allowed.has(n) && !held.has(n)).toBe(true);
              held.set(n, owner);
            } else {
              expect(outcome.error).toBeInstanceOf(ApiError);
              expect(!allowed.has(n) || held.has(n)).toBe(true);
            }
          } else if (held.size > 0) {
            const [n, owner] = [...held][op.pick % held.size];
            expect(await ipam.release('blue', record.cidr, dotted(n), owner)).toBe(true);
            held.delete(n);
          }
          const stored = await ipam.allocations('blue', record.cidr);
          expect(new Map(stored.map(({ address, owner }) => [v4(address.split('/')[0]), owner]))).toEqual(held);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('hands out every address of a /29 exactly once, in order, then refuses with 409 naming the subnet', async () => {
    const record = subnet('198.18.0.0/29');
    const addresses: string[] = [];
    for (let i = 0; i < 5; i++) addresses.push(await ipam.allocate('blue', record, `att-${i}`));
    expect(addresses).toEqual(['198.18.0.2/29', '198.18.0.3/29', '198.18.0.4/29', '198.18.0.5/29', '198.18.0.6/29']);

    const error = await refusal(ipam.allocate('blue', record, 'att-5'));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.toJSON()).toMatchObject({ status: 409, field: 'addresses', message: 'subnet 198.18.0.0/29 of network blue has no free address' });
    expect(await ipam.usage('blue', record)).toEqual({ allocated: 5, capacity: 5 });
    expect(await ipam.allocations('blue', record.cidr)).toEqual(addresses.map((address, i) => ({ address, owner: `att-${i}` })));
  });

  it('honours a requested address, returns it again to its owner, refuses it to anyone else, and never hands it out automatically', async () => {
    const record = subnet('198.18.0.0/29');
    expect(await ipam.allocate('blue', record, 'att-a', '198.18.0.3', 'addresses[0]')).toBe('198.18.0.3/29');
    expect(await ipam.allocate('blue', record, 'att-a', '198.18.0.3/29', 'addresses[0]')).toBe('198.18.0.3/29');

    const taken = await refusal(ipam.allocate('blue', record, 'att-b', '198.18.0.3', 'addresses[1]'));
    expect(taken).toBeInstanceOf(ConflictError);
    expect(taken.toJSON()).toMatchObject({ status: 409, field: 'addresses[1]', message: '198.18.0.3 in subnet 198.18.0.0/29 of network blue is held by att-a' });

    const automatic: string[] = [];
    for (let i = 0; i < 4; i++) automatic.push(await ipam.allocate('blue', record, `auto-${i}`));
    expect(automatic).toEqual(['198.18.0.2/29', '198.18.0.4/29', '198.18.0.5/29', '198.18.0.6/29']);
  });

  it('refuses reserved and foreign addresses with 400 naming the field and saying which', async () => {
    const record = subnet('198.18.0.0/29', { allocationPools: [{ start: '198.18.0.2', end: '198.18.0.5' }] });
    const cases: [string, RegExp][] = [
      ['198.18.0.0', /network address/],
      ['198.18.0.7', /broadcast address/],
      ['198.18.0.1', /gateway/],
      ['198.18.0.6', /outside the allocation pools/],
      ['198.18.1.2', /outside subnet 198\.18\.0\.0\/29/],
      ['not-an-address', /is not an IP address/],
    ];
    for (const [requested, message] of cases) {
      const error = await refusal(ipam.allocate('blue', record, 'att-a', requested, 'addresses[2]'));
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error.field).toBe('addresses[2]');
      expect(error.message).toMatch(message);
    }
    expect(await snapshot(redis)).toEqual(new Map());
  });

  it('releases only for the owner, and a released address is handed out again', async () => {
    const record = subnet('198.18.0.0/29');
    for (let i = 0; i < 5; i++) await ipam.allocate('blue', record, `att-${i}`);
    expect(await ipam.release('blue', record.cidr, '198.18.0.4/29', 'att-0')).toBe(false);
    expect(await ipam.release('blue', record.cidr, '198.18.1.4', 'att-2')).toBe(false);
    expect(await ipam.release('blue', record.cidr, '198.18.0.4/29', 'att-2')).toBe(true);
    expect(await ipam.release('blue', record.cidr, '198.18.0.4', 'att-2')).toBe(false);
    expect(await ipam.allocate('blue', record, 'att-new')).toBe('198.18.0.4/29');
    await expect(ipam.release('blue', record.cidr, 'nonsense', 'att-2')).rejects.toMatchObject({ status: 400, field: 'address' });
  });

  it('releases everything one owner holds, and forgets a dropped network', async () => {
    const record = subnet('198.18.0.0/29');
    await ipam.allocateMany([
      { network: 'blue', subnet: record, owner: 'att-a', field: 'addresses[0]' },
      { network: 'blue', subnet: record, owner: 'att-b', field: 'addresses[1]' },
      { network: 'blue', subnet: record, owner: 'att-a', requested: '198.18.0.6', field: 'addresses[2]' },
    ]);
    expect(await ipam.releaseOwner('blue', record.cidr, 'att-a')).toBe(2);
    expect(await ipam.allocations('blue', record.cidr)).toEqual([{ address: '198.18.0.3/29', owner: 'att-b' }]);

    const other = subnet('2001:db8::/64');
    await ipam.allocate('blue', other, 'att-b');
    await ipam.allocate('red', record, 'att-c');
    await ipam.dropNetwork('blue', [record.cidr, other.cidr]);
    expect([...(await snapshot(redis)).keys()]).toEqual([ipamKeys.addresses('red', record.cidr), ipamKeys.cursor('red', record.cidr)]);
  });

  it('keeps two networks with the same CIDR independent', async () => {
    const record = subnet('198.18.0.0/29');
    const blue: string[] = [];
    const red: string[] = [];
    for (let i = 0; i < 5; i++) {
      blue.push(await ipam.allocate('blue', record, `blue-${i}`));
      red.push(await ipam.allocate('red', record, `red-${i}`));
    }
    expect(red).toEqual(blue);
    await expect(ipam.allocate('blue', record, 'late')).rejects.toMatchObject({ status: 409, message: 'subnet 198.18.0.0/29 of network blue has no free address' });
    expect(await ipam.release('red', record.cidr, '198.18.0.2', 'red-0')).toBe(true);
    expect(await ipam.allocate('red', record, 'late')).toBe('198.18.0.2/29');
    await expect(ipam.allocate('blue', record, 'late')).rejects.toMatchObject({ status: 409 });
  });

  it('leaves Redis byte-for-byte unchanged when it refuses an allocation', async () => {
    const record = subnet('198.18.0.0/29');
    const v6 = subnet('2001:db8:0:1::/64');
    await ipam.allocate('blue', record, 'att-a');
    await ipam.allocate('blue', record, 'att-b', '198.18.0.6');
    await ipam.allocate('blue', v6, 'att-a');
    const before = await snapshot(redis);
    expect(before.size).toBe(4);

    await expect(ipam.allocate('blue', record, 'att-c', '198.18.0.6')).rejects.toMatchObject({ status: 409 });
    await expect(ipam.allocate('blue', record, 'att-c', '198.18.0.7')).rejects.toMatchObject({ status: 400 });
    await expect(ipam.allocate('blue', record, '')).rejects.toMatchObject({ status: 400, field: 'owner' });
    await expect(ipam.allocate('Blue!', record, 'att-c')).rejects.toMatchObject({ status: 400, field: 'network' });
    // Batches refused after some of their addresses were claimed: a static conflict, then exhaustion.
    const claimsThenConflicts: AllocationRequest[] = [
      { network: 'blue', subnet: v6, owner: 'att-c', field: 'addresses[0]' },
      { network: 'blue', subnet: record, owner: 'att-c', requested: '198.18.0.4', field: 'addresses[1]' },
      { network: 'blue', subnet: record, owner: 'att-c', requested: '198.18.0.6', field: 'addresses[2]' },
    ];
    await expect(ipam.allocateMany(claimsThenConflicts)).rejects.toMatchObject({ status: 409, field: 'addresses[2]' });
    const claimsThenExhaustion: AllocationRequest[] = [
      { network: 'blue', subnet: v6, owner: 'att-c', field: 'addresses[0]' },
      { network: 'blue', subnet: v6, owner: 'att-d', field: 'addresses[1]' },
      { network: 'new', subnet: record, owner: 'att-c', field: 'addresses[2]' },
      ...[3, 4, 5, 6].map((i) => ({ network: 'blue', subnet: record, owner: 'att-c', field: `addresses[${i}]` })),
    ];
    await expect(ipam.allocateMany(claimsThenExhaustion)).rejects.toMatchObject({ status: 409, field: 'addresses[6]', message: /no free address/ });
    expect(await snapshot(redis)).toEqual(before);

    for (let i = 0; i < 3; i++) await ipam.allocate('blue', record, `fill-${i}`);
    const full = await snapshot(redis);
    await expect(ipam.allocate('blue', record, 'att-z')).rejects.toMatchObject({ status: 409 });
    expect(await snapshot(redis)).toEqual(full);
  });

  it('allocates a batch across subnets and families, requested addresses first', async () => {
    const record = subnet('198.18.0.0/29');
    const v6 = subnet('2001:db8::/64');
    const addresses = await ipam.allocateMany([
      { network: 'blue', subnet: record, owner: 'att-a', field: 'addresses[0]' },
      { network: 'blue', subnet: v6, owner: 'att-a', field: 'addresses[1]' },
      { network: 'blue', subnet: record, owner: 'att-a', requested: '198.18.0.2', field: 'addresses[2]' },
    ]);
    expect(addresses).toEqual(['198.18.0.3/29', '2001:db8::2/64', '198.18.0.2/29']);
  });

  it('peeks at what it would allocate without changing anything', async () => {
    const record = subnet('198.18.0.0/29');
    await ipam.allocate('blue', record, 'att-a');
    await ipam.allocate('blue', record, 'att-b', '198.18.0.4');
    const before = await snapshot(redis);
    expect(await ipam.peek('blue', record)).toBe('198.18.0.3/29');
    expect(await ipam.peek('blue', record, '198.18.0.4', 'addresses[0]', 'att-b')).toBe('198.18.0.4/29');
    await expect(ipam.peek('blue', record, '198.18.0.4', 'addresses[0]')).rejects.toMatchObject({ status: 409, message: /held by att-b/ });
    expect(
      await ipam.peekMany([
        { network: 'blue', subnet: record },
        { network: 'blue', subnet: record, requested: '198.18.0.3' },
        { network: 'blue', subnet: record },
      ]),
    ).toEqual(['198.18.0.5/29', '198.18.0.3/29', '198.18.0.6/29']);
    await expect(ipam.peekMany([1, 2, 3, 4].map(() => ({ network: 'blue', subnet: record, field: 'addresses' })))).rejects.toMatchObject({ status: 409 });
    expect(await snapshot(redis)).toEqual(before);
    expect(await ipam.allocate('blue', record, 'att-c')).toBe('198.18.0.3/29');
  });

  it('does the arithmetic of large IPv6 offsets exactly (pools past 2^32 and across a 32-bit carry)', async () => {
    const high = subnet('2001:db8::/64', { allocationPools: [{ start: '2001:db8::ffff:ffff:ffff:fff0', end: '2001:db8::ffff:ffff:ffff:fffe' }] });
    expect(await ipam.allocate('blue', high, 'a')).toBe('2001:db8::ffff:ffff:ffff:fff0/64');
    expect(await ipam.allocate('blue', high, 'b', '2001:db8::ffff:ffff:ffff:fffe')).toBe('2001:db8::ffff:ffff:ffff:fffe/64');

    const carry = subnet('2001:db8:0:1::/64', { allocationPools: [{ start: '2001:db8:0:1::ffff:fffe', end: '2001:db8:0:1::1:0:1' }] });
    const got: string[] = [];
    for (let i = 0; i < 4; i++) got.push(await ipam.allocate('blue', carry, `c-${i}`));
    expect(got).toEqual(['2001:db8:0:1::ffff:fffe/64', '2001:db8:0:1::ffff:ffff/64', '2001:db8:0:1:0:1::/64', '2001:db8:0:1:0:1:0:1/64']);
    await expect(ipam.allocate('blue', carry, 'c-4')).rejects.toMatchObject({ status: 409 });
  });

  it(`keeps looking past ${SLOTS_PER_CALL} taken addresses, and only then says the subnet is full`, async () => {
    const record = subnet('198.18.64.0/18');
    await fill(redis, 'blue', record, SLOTS_PER_CALL + 500, 'filler');
    expect(await ipam.peek('blue', record)).toBe(`${addressAt(record, BigInt(SLOTS_PER_CALL + 502))}/18`);
    expect(await ipam.allocate('blue', record, 'att-a')).toBe(`${addressAt(record, BigInt(SLOTS_PER_CALL + 502))}/18`);

    await redis.del(ipamKeys.addresses('blue', record.cidr), ipamKeys.cursor('blue', record.cidr));
    await fill(redis, 'blue', record, 16381, 'filler');
    expect(await ipam.usage('blue', record)).toEqual({ allocated: 16381, capacity: 16381 });
    await expect(ipam.allocate('blue', record, 'att-a')).rejects.toMatchObject({ status: 409, message: 'subnet 198.18.64.0/18 of network blue has no free address' });
  });

  it('claims a subnet\'s concurrent automatic allocations together: the first alone, those made meanwhile in one script call, each the address it would have got alone, in order', async () => {
    const record = subnet('198.18.1.0/24');
    const inOrder = allocatableRanges(record).flatMap((range) => Array.from({ length: Number(range.last - range.first + 1n) }, (_, i) => `${addressAt(record, range.first + BigInt(i))}/24`));
    await ipam.allocate('blue', record, 'first'); // the scripts are cached in Redis from here on
    await redis.config('RESETSTAT');
    const addresses = await Promise.all(Array.from({ length: 60 }, (_, i) => ipam.allocate('blue', record, `att-${i}`)));
    expect(addresses).toEqual(inOrder.slice(1, 61));
    const scriptCalls = [...(await redis.info('commandstats')).matchAll(/cmdstat_(evalsha|eval):calls=(\d+)/g)].reduce((sum, match) => sum + Number(match[2]), 0);
    expect(scriptCalls).toBe(2);
    const held = await ipam.allocations('blue', record.cidr);
    expect(held.slice(1).map(({ address, owner }) => [address, owner])).toEqual(addresses.map((address, i) => [address, `att-${i}`]));
  });

  it(`claims alone what a call together could not reach within its ${SLOTS_PER_CALL} slots: concurrent allocations past a full stretch get the first free addresses, once each`, async () => {
    const record = subnet('198.18.64.0/18');
    await fill(redis, 'blue', record, SLOTS_PER_CALL + 500, 'filler'); // and no cursor: every claim starts at the first slot
    const firstFree = Array.from({ length: 8 }, (_, i) => `${addressAt(record, BigInt(SLOTS_PER_CALL + 502 + i))}/18`);
    const addresses = await Promise.all(Array.from({ length: 8 }, (_, i) => ipam.allocate('blue', record, `att-${i}`)));
    expect(new Set(addresses)).toEqual(new Set(firstFree));
  });

  it('never hands out one address twice to 1,000 concurrent allocations from two connections and a second process', async () => {
    // A pool of exactly 1,000 addresses: every one must be handed out once, and the 1,001st refused.
    const record = subnet('198.18.4.0/22', { allocationPools: [{ start: '198.18.4.10', end: '198.18.7.241' }] });
    const expected = new Set<string>();
    for (const range of allocatableRanges(record)) for (let o = range.first; o <= range.last; o++) expected.add(`${addressAt(record, o)}/22`);
    expect(expected.size).toBe(1000);

    const second = new Redis(server.url);
    const child = new AllocatorProcess(server.url, 'blue', record, 300);
    try {
      await child.ready();
      const viaSecond = new IpamService(second);
      const started = performance.now();
      const [fromChild, fromFirst, fromSecond] = await Promise.all([
        child.run(),
        Promise.all(Array.from({ length: 350 }, (_, i) => ipam.allocate('blue', record, `first-${i}`))),
        Promise.all(Array.from({ length: 350 }, (_, i) => viaSecond.allocate('blue', record, `second-${i}`))),
      ]);
      const seconds = (performance.now() - started) / 1000;
      console.log(`1,000 allocations from 3 clients (2 processes) in ${seconds.toFixed(2)} s, about ${Math.round(1000 / seconds)}/s, the child's start-up excluded`);

      const all = [...fromChild, ...fromFirst, ...fromSecond];
      expect(all.filter((address) => address.startsWith('refused'))).toEqual([]);
      expect(new Set(all).size).toBe(1000);
      expect(new Set(all)).toEqual(expected);
      const held = await ipam.allocations('blue', record.cidr);
      const owners = new Map(held.map(({ address, owner }) => [address, owner]));
      fromFirst.forEach((address, i) => expect(owners.get(address)).toBe(`first-${i}`));
      fromSecond.forEach((address, i) => expect(owners.get(address)).toBe(`second-${i}`));
      fromChild.forEach((address, i) => expect(owners.get(address)).toBe(`child-${i}`));
      await expect(viaSecond.allocate('blue', record, 'one-too-many')).rejects.toMatchObject({ status: 409 });
    } finally {
      child.kill();
      second.disconnect();
    }
  });

  describe('a call whose reply was lost (ioredis sends it again on the new connection) takes effect once', () => {
    let proxy: ReplyDroppingProxy;
    let viaProxy: Redis;
    let ipamViaProxy: IpamService;
    const record = subnet('198.18.0.0/29');

    beforeEach(async () => {
      proxy = await ReplyDroppingProxy.start(server.port);
      viaProxy = new Redis(proxy.port, '127.0.0.1');
      ipamViaProxy = new IpamService(viaProxy);
      await ipamViaProxy.allocate('blue', record, 'first'); // 198.18.0.2
      // Cached, so the reply lost is the script's, not a NOSCRIPT that leads to an EVAL.
      for (const script of Object.values(ipamScripts)) if (script instanceof LuaScript) await redis.script('LOAD', script.source);
    });

    afterEach(async () => {
      viaProxy.disconnect();
      await proxy.close();
    });

    /** The allocation's reply was lost once, no receipt is left, and who holds what. */
    async function heldAfterOneLoss(): Promise<[string, string][]> {
      expect(proxy.lost).toBe(1);
      expect(await redis.keys(receiptKey('*'))).toEqual([]);
      return (await ipam.allocations('blue', record.cidr)).map(({ address, owner }) => [address, owner]);
    }

    it('an automatic claim: the owner holds the one address it was answered', async () => {
      const lost = proxy.loseNextReply();
      const address = await ipamViaProxy.allocate('blue', record, 'att-a');
      await lost;
      expect(address).toBe('198.18.0.3/29');
      expect(await heldAfterOneLoss()).toEqual([['198.18.0.2/29', 'first'], ['198.18.0.3/29', 'att-a']]);
    });

    it('automatic claims made together: each owner holds the one address it was answered', async () => {
      void proxy.loseNextReply();
      const addresses = await Promise.all(['att-a', 'att-b', 'att-c'].map((owner) => ipamViaProxy.allocate('blue', record, owner)));
      expect(addresses).toEqual(['198.18.0.3/29', '198.18.0.4/29', '198.18.0.5/29']);
      expect(await heldAfterOneLoss()).toEqual([['198.18.0.2/29', 'first'], ['198.18.0.3/29', 'att-a'], ['198.18.0.4/29', 'att-b'], ['198.18.0.5/29', 'att-c']]);
    });

    it('a refused batch whose requested address was claimed before its reply was lost still gives it back', async () => {
      await ipam.allocate('blue', record, 'att-b', '198.18.0.6');
      const before = await snapshot(redis);
      void proxy.loseNextReply();
      const batch: AllocationRequest[] = [
        { network: 'blue', subnet: record, owner: 'att-c', requested: '198.18.0.4', field: 'addresses[0]' },
        { network: 'blue', subnet: record, owner: 'att-c', requested: '198.18.0.6', field: 'addresses[1]' },
      ];
      await expect(ipamViaProxy.allocateMany(batch)).rejects.toMatchObject({ status: 409, field: 'addresses[1]' });
      expect(await heldAfterOneLoss()).toEqual([['198.18.0.2/29', 'first'], ['198.18.0.6/29', 'att-b']]);
      expect(await snapshot(redis)).toEqual(before);
    });

    it('a release: answered that it released the address', async () => {
      void proxy.loseNextReply();
      expect(await ipamViaProxy.release('blue', record.cidr, '198.18.0.2', 'first')).toBe(true);
      expect(await heldAfterOneLoss()).toEqual([]);
    });
  });
});
