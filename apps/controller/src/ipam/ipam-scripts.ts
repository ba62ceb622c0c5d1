/**
 * The IPAM's Lua scripts: each runs atomically inside Redis, so two controller processes
 * can never hand out one address twice. Keys and fields: see ipam-keys.ts.
 *
 * Automatic allocation walks "slots": the subnet's allocatable ranges (subnet.ts,
 * allocatableRanges) laid end to end, slot 0 being the first offset of the first range.
 * Each range travels in ARGV as three numbers: the high and low 32 bits of its first offset
 * and its length (at most 2^32), preceded by the total slot count and the range count, so
 * every number stays exact in Lua's doubles even for a /64.
 *
 * The scripts that write are OnceLuaScripts: a call ioredis sends again after a dropped
 * connection claims (or releases) nothing more, and gets the first run's reply.
 */
import type { OffsetRange } from './subnet';
import { LuaScript, OnceLuaScript } from '../common/lua-script';

/** How many slots one script call examines at most, so a nearly full large subnet never blocks Redis for long. */
export const SLOTS_PER_CALL = 8192;

const TWO_32 = 2n ** 32n;

/** [total, count, hi, lo, length, hi, lo, length, ...] for the scripts' ARGV. */
export function encodeRanges(ranges: readonly OffsetRange[]): string[] {
  const total = ranges.reduce((sum, range) => sum + range.last - range.first + 1n, 0n);
  const encoded = [String(total), String(ranges.length)];
  for (const range of ranges) encoded.push(String(range.first / TWO_32), String(range.first % TWO_32), String(range.last - range.first + 1n));
  return encoded;
}

const SLOT_WALKER = `
local TWO_32 = 4294967296
local function decode_ranges(from)
  local total = tonumber(ARGV[from])
  local ranges = {}
  for r = 1, tonumber(ARGV[from + 1]) do
    local at = from + 2 + (r - 1) * 3
    ranges[r] = { hi = tonumber(ARGV[at]), lo = tonumber(ARGV[at + 1]), len = tonumber(ARGV[at + 2]) }
  end
  return total, ranges
end
-- Returns a function yielding (hash field of the slot, the slot after it), wrapping around.
local function walk(ranges, slot)
  local r, i = 1, slot
  while i >= ranges[r].len do
    i = i - ranges[r].len
    r = r + 1
  end
  return function()
    local range = ranges[r]
    local lo = range.lo + i
    local hi = range.hi + math.floor(lo / TWO_32)
    lo = lo % TWO_32
    local field
    if hi > 0 then field = string.format('%x%08x', hi, lo) else field = string.format('%x', lo) end
    i = i + 1
    slot = slot + 1
    if i >= range.len then
      i = 0
      r = r + 1
      if r > #ranges then
        r = 1
        slot = 0
      end
    end
    return field, slot
  end
end
local function start_slot(given, total)
  if given ~= '' then return tonumber(given) % total end
  local stored = redis.call('GET', KEYS[2])
  if stored then return tonumber(stored) % total end
  return 0
end
`;

/**
 * KEYS: addresses hash, cursor. ARGV: owner, start slot ('' = the stored cursor), budget,
 * ranges. Claims the first free slot from the start for the owner and moves the cursor past it:
 * {1, field, cursor before ('' when absent), cursor after}; none free within the budget:
 * {0, slot to continue from}, having written nothing.
 */
export const CLAIM_NEXT = new OnceLuaScript(`${SLOT_WALKER}
local total, ranges = decode_ranges(4)
local slot = start_slot(ARGV[2], total)
local next_slot = walk(ranges, slot)
for _ = 1, math.min(tonumber(ARGV[3]), total) do
  local field
  field, slot = next_slot()
  if redis.call('HSETNX', KEYS[1], field, ARGV[1]) == 1 then
    local before = redis.call('GET', KEYS[2]) or ''
    local after = string.format('%d', slot)
    redis.call('SET', KEYS[2], after)
    return { 1, field, before, after }
  end
end
return { 0, string.format('%d', slot) }
`);

/**
 * KEYS: addresses hash, cursor. ARGV: budget, owner count, the owners, ranges. CLAIM_NEXT
 * from the stored cursor for each owner in turn, as that many calls one after the other
 * would, all of them examining at most `budget` slots together: per owner {1, field, cursor
 * before, cursor after}, or {0} once the budget is spent (that owner, and any after it,
 * claimed nothing).
 */
export const CLAIM_NEXT_MANY = new OnceLuaScript(`${SLOT_WALKER}
local owners = tonumber(ARGV[2])
local total, ranges = decode_ranges(3 + owners)
local budget = math.min(tonumber(ARGV[1]), total)
local slot = start_slot('', total)
local next_slot = walk(ranges, slot)
local examined = 0
local replies = {}
for o = 1, owners do
  replies[o] = { 0 }
  while examined < budget do
    local field
    field, slot = next_slot()
    examined = examined + 1
    if redis.call('HSETNX', KEYS[1], field, ARGV[2 + o]) == 1 then
      local before = redis.call('GET', KEYS[2]) or ''
      local after = string.format('%d', slot)
      redis.call('SET', KEYS[2], after)
      replies[o] = { 1, field, before, after }
      break
    end
  end
end
return replies
`);

/**
 * KEYS: addresses hash, cursor. ARGV: how many, start slot ('' = the stored cursor), budget,
 * number of excluded fields, the excluded fields, ranges. Read only: the free fields
 * automatic allocation would take next, skipping the excluded ones: {slot to continue from, field...}.
 */
export const FIND_FREE = new LuaScript(`${SLOT_WALKER}
local wanted = tonumber(ARGV[1])
local excluded = {}
local excluded_count = tonumber(ARGV[4])
for e = 1, excluded_count do excluded[ARGV[4 + e]] = true end
local total, ranges = decode_ranges(5 + excluded_count)
local slot = start_slot(ARGV[2], total)
local next_slot = walk(ranges, slot)
local found = {}
for _ = 1, math.min(tonumber(ARGV[3]), total) do
  local field
  field, slot = next_slot()
  if not excluded[field] and redis.call('HEXISTS', KEYS[1], field) == 0 then
    found[#found + 1] = field
    if #found == wanted then break end
  end
end
table.insert(found, 1, string.format('%d', slot))
return found
`);

/** KEYS: addresses hash. ARGV: field, owner. {1}: claimed now; {2}: the owner already held it; {0, holder}. */
export const CLAIM_REQUESTED = new OnceLuaScript(`
local holder = redis.call('HGET', KEYS[1], ARGV[1])
if not holder then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  return { 1 }
end
if holder == ARGV[2] then return { 2 } end
return { 0, holder }
`);

/**
 * KEYS: addresses hash, cursor. ARGV: cursor now, cursor before, then (field, owner) pairs.
 * Deletes each field its owner holds and returns how many. When 'cursor now' is not '' and
 * the cursor still holds it (no one allocated since), the cursor goes back to 'cursor
 * before' ('' = no cursor): how a refused allocateMany undoes its own allocations exactly.
 * (Exactly in content; byte for byte too unless the claim pushed the hash past Redis's
 * small-hash encoding, 128 fields, which HDEL does not convert back.)
 */
export const RELEASE = new OnceLuaScript(`
local released = 0
for f = 3, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[f]) == ARGV[f + 1] then
    released = released + redis.call('HDEL', KEYS[1], ARGV[f])
  end
end
if ARGV[1] ~= '' and redis.call('GET', KEYS[2]) == ARGV[1] then
  if ARGV[2] == '' then redis.call('DEL', KEYS[2]) else redis.call('SET', KEYS[2], ARGV[2]) end
end
return released
`);
