import { EMPTY_MAP, EMPTY_SET } from '../data/frozen';
import type { Atom } from '../schema/types';

/** From this size on, a set keeps a position map so that a small diff costs O(diff), not O(set). */
export const LARGE_SET = 512;

/**
 * Position maps of the large sets the replica holds, each attached to the current array
 * of a column and moved to the new array on every change (the old array is never
 * diffed again: it only lives on in old rows handed to event consumers).
 */
const positions = new WeakMap<readonly Atom[], Map<Atom, number>>();

/**
 * The update2 set diff: members of `diff` present in `old` are removed, the others added
 * (symmetric difference). `old` is not changed. Set order is not significant: a large
 * set fills a removed member's slot with its last member, so that applying a one-member
 * diff to a 20,000-member set (Bridge.ports) copies the array once and does O(1) work.
 */
export function toggleMembers(old: readonly Atom[], diff: readonly Atom[]): readonly Atom[] {
  if (diff.length === 0) return old;
  if (old.length === 0) return diff;
  if (old.length >= LARGE_SET) return toggleLarge(old, diff);
  if (diff.length <= FEW_MEMBERS) return toggleFew(old, diff);
  const toggled = new Set(diff);
  const out: Atom[] = [];
  for (let i = 0; i < old.length; i++) {
    const member = old[i];
    if (!toggled.delete(member)) out.push(member);
  }
  for (const member of toggled) out.push(member);
  return out.length === 0 ? EMPTY_SET : out;
}

/** A diff this small (a transaction adding a port to a bridge: one) is looked up member by member. */
const FEW_MEMBERS = 4;

/**
 * toggleMembers for a few members: each is searched for in `old` (comparing references
 * mostly, no hashing of the whole set into a Set), then one copy is made. Same result and
 * order as the Set path: `old` minus the members found, then the others in diff order.
 */
function toggleFew(old: readonly Atom[], diff: readonly Atom[]): readonly Atom[] {
  const added: Atom[] = [];
  let removed: number[] | undefined;
  for (let k = 0; k < diff.length; k++) {
    const member = diff[k];
    if (positionOf(diff, member) < k) continue; // a repeated diff member counts once, as in a Set
    const at = positionOf(old, member);
    if (at < 0) added.push(member);
    else (removed ??= []).push(at);
  }
  if (removed === undefined) return old.concat(added);
  const out: Atom[] = [];
  for (let i = 0; i < old.length; i++) if (!removed.includes(i)) out.push(old[i]);
  for (let k = 0; k < added.length; k++) out.push(added[k]);
  return out.length === 0 ? EMPTY_SET : out;
}

/** The first index of `member` in `members` under SameValueZero (Set's equality: NaN finds NaN), or -1. */
function positionOf(members: readonly Atom[], member: Atom): number {
  if (member === member) return members.indexOf(member);
  for (let i = 0; i < members.length; i++) if (members[i] !== members[i]) return i;
  return -1;
}

/**
 * The large set diffed last and its position map: nearly always the next diff is of the
 * array the last one made (one bridge gaining ports), found here without a WeakMap
 * lookup, delete and insert per diff (4-16% of applying the benchmark's update).
 * Other large sets keep theirs in `positions`. Held strongly: once its row is gone, one
 * array and its map stay until the next large set is diffed.
 */
let lastSet: readonly Atom[] | undefined;
let lastIndex: Map<Atom, number> | undefined;

/** Takes the position map of `set` out of the caches (it moves to the next array), or builds one. */
function takePositions(set: readonly Atom[]): Map<Atom, number> {
  if (set === lastSet) {
    const index = lastIndex!;
    lastSet = lastIndex = undefined;
    return index;
  }
  const kept = positions.get(set);
  if (kept !== undefined) {
    positions.delete(set);
    return kept;
  }
  const index = new Map<Atom, number>();
  for (let i = 0; i < set.length; i++) index.set(set[i], i);
  return index;
}

/** Makes `set` the last diffed large set; the previous one keeps its map in `positions`. */
function keepPositions(set: readonly Atom[], index: Map<Atom, number>): void {
  if (lastSet !== undefined) positions.set(lastSet, lastIndex!);
  lastSet = set;
  lastIndex = index;
}

function toggleLarge(old: readonly Atom[], diff: readonly Atom[]): readonly Atom[] {
  const index = takePositions(old);
  if (diff.length === 1 && !index.has(diff[0])) {
    // One member added (a port added to a bridge): no lists of added and removed members.
    const out = old.toSpliced(old.length, 0, diff[0]);
    index.set(diff[0], old.length);
    keepPositions(out, index);
    return out;
  }
  const added: Atom[] = [];
  const removed: Atom[] = [];
  for (let k = 0; k < diff.length; k++) (index.has(diff[k]) ? removed : added).push(diff[k]);
  const out = copyWith(old, added);
  for (let k = 0; k < added.length; k++) index.set(added[k], old.length + k);
  removeBySwap(out, index, removed);
  if (out.length === 0) return EMPTY_SET;
  keepPositions(out, index);
  return out;
}

/**
 * toggleMembers for a large set that nobody but the caller holds (see Replica's drafts):
 * a diff of a few members changes `set` itself, no copy, with the same result and order
 * toggleMembers would give. False when it does not apply (a small set, or a larger diff):
 * use toggleMembers.
 */
export function toggleMembersInPlace(set: Atom[], diff: readonly Atom[]): boolean {
  if (set.length < LARGE_SET || diff.length > FEW_MEMBERS) return false;
  const index = takePositions(set);
  let removed: Atom[] | undefined;
  for (let k = 0; k < diff.length; k++) {
    const member = diff[k];
    if (positionOf(diff, member) < k) continue; // a repeated diff member counts once, as in a Set
    if (index.has(member)) (removed ??= []).push(member);
    else {
      index.set(member, set.length);
      set.push(member);
    }
  }
  if (removed !== undefined) removeBySwap(set, index, removed);
  keepPositions(set, index);
  return true;
}

/**
 * `old` followed by `added`, in one exact-size copy (growing a copy of a 20,000-member
 * array costs a second one). One member, the common case (a port added to a bridge), goes
 * through toSpliced, which copies about 20% faster than concat, whose generic path visits
 * every element.
 */
function copyWith(old: readonly Atom[], added: readonly Atom[]): Atom[] {
  if (added.length === 0) return old.slice();
  if (added.length === 1) return old.toSpliced(old.length, 0, added[0]);
  return old.concat(added);
}

/** The update2 map diff: new keys are added, a key with its current value removed, others replaced. */
export function applyMapDiff(old: ReadonlyMap<Atom, Atom>, diff: ReadonlyMap<Atom, Atom>): ReadonlyMap<Atom, Atom> {
  if (diff.size === 0) return old;
  const out = new Map(old);
  for (const [key, value] of diff) {
    if (old.has(key) && old.get(key) === value) out.delete(key);
    else out.set(key, value);
  }
  return out.size === 0 ? EMPTY_MAP : out;
}

/** Takes each member out of `set`, moving the last member into its place (order is not kept), `index` kept up to date. */
function removeBySwap(set: Atom[], index: Map<Atom, number>, members: readonly Atom[]): void {
  for (let k = 0; k < members.length; k++) {
    const member = members[k];
    const at = index.get(member)!;
    const last = set.pop()!;
    index.delete(member);
    if (at < set.length) {
      set[at] = last;
      index.set(last, at);
    }
  }
}
