import fc from 'fast-check';
import { LocalVlansExhaustedError } from './errors';
import { assignLocalVlans, LOCAL_VLAN_MAX } from './local-vlans';
import { thrownBy } from './testing/thrown';

const networkNames = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/), { maxLength: 30 });
const vlanIds = fc.integer({ min: 1, max: 60 });
const reservedIds = fc.uniqueArray(vlanIds, { maxLength: 20 }).map((ids) => new Set(ids));

describe('assignLocalVlans', () => {
  it('gives new networks the lowest free ids, in name order, skipping reserved ones', () => {
    expect(assignLocalVlans({}, ['red', 'blue', 'green'], new Set([2]))).toEqual({ blue: 1, green: 3, red: 4 });
  });

  it('keeps existing ids, drops removed networks and reuses their ids', () => {
    const result = assignLocalVlans({ blue: 1, green: 2, red: 3 }, ['red', 'blue', 'yellow'], new Set());
    expect(result).toEqual({ blue: 1, red: 3, yellow: 2 });
  });

  it('lists its networks in name order, so the JSON is the same whatever the input order', () => {
    const a = assignLocalVlans({ red: 7, blue: 3 }, ['red', 'blue', 'amber'], new Set());
    const b = assignLocalVlans({ blue: 3, red: 7 }, ['amber', 'blue', 'red'], new Set());
    expect(JSON.stringify(a)).toBe('{"amber":1,"blue":3,"red":7}');
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('moves a network off an id reserved since it was given, out of range, or held twice', () => {
    const result = assignLocalVlans({ blue: 5, green: 0, red: 5, teal: 4095, amber: 6 }, ['amber', 'blue', 'green', 'red', 'teal'], new Set([6]));
    expect(result).toEqual({ amber: 1, blue: 5, green: 2, red: 3, teal: 4 });
  });

  it('ignores a network named twice', () => {
    expect(assignLocalVlans({}, ['blue', 'blue'], new Set())).toEqual({ blue: 1 });
  });

  it('uses every id up to 4094, then refuses with a typed error naming the network', () => {
    const names = Array.from({ length: LOCAL_VLAN_MAX - 1 }, (_, i) => `n${String(i).padStart(4, '0')}`);
    const full = assignLocalVlans({}, names, new Set([10]));
    expect(new Set(Object.values(full)).size).toBe(LOCAL_VLAN_MAX - 1);
    expect(Math.max(...Object.values(full))).toBe(LOCAL_VLAN_MAX);

    const thrown = thrownBy(() => assignLocalVlans(full, [...names, 'zz-one-too-many'], new Set([10])));
    expect(thrown).toBeInstanceOf(LocalVlansExhaustedError);
    expect(thrown).toMatchObject({ status: 409, field: 'hosts', network: 'zz-one-too-many', inUse: 4093, reserved: 1 });
  });

  it('gives every network a distinct id in 1..4094 that is not reserved', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[a-z]{1,3}$/), vlanIds), networkNames, reservedIds, (current, networks, reserved) => {
        const result = assignLocalVlans(current, networks, reserved);
        expect(Object.keys(result).sort()).toEqual([...networks].sort());
        const ids = Object.values(result);
        expect(new Set(ids).size).toBe(ids.length);
        for (const id of ids) {
          expect(Number.isInteger(id) && id >= 1 && id <= LOCAL_VLAN_MAX).toBe(true);
          expect(reserved.has(id)).toBe(false);
        }
      }),
    );
  });

  it('keeps the id of every network that stays, through any sequence of changes', () => {
    fc.assert(
      fc.property(fc.array(networkNames, { minLength: 1, maxLength: 6 }), (generations) => {
        let vlans: Record<string, number> = {};
        for (const networks of generations) {
          const next = assignLocalVlans(vlans, networks, new Set());
          for (const network of networks) {
            if (Object.hasOwn(vlans, network)) expect(next[network]).toBe(vlans[network]);
          }
          vlans = next;
        }
      }),
    );
  });

  it('does not change its inputs', () => {
    const current = { blue: 1 };
    const networks = ['red', 'blue'];
    assignLocalVlans(current, networks, new Set());
    expect(current).toEqual({ blue: 1 });
    expect(networks).toEqual(['red', 'blue']);
  });
});
