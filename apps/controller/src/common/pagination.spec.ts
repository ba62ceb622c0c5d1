import { pageOfItems } from './pagination';

describe('pageOfItems', () => {
  const items = ['uplink', 'eth-a', 'patch-int', 'mgmt0', 'patch-ext'].map((name) => ({ name }));
  const names = (page: { items: { name: string }[] }) => page.items.map((item) => item.name);

  it('serves the items in key order, page after page, each cursor taking up after the last key served', () => {
    const first = pageOfItems(items, (item) => item.name, { limit: 2 });
    expect(names(first)).toEqual(['eth-a', 'mgmt0']);
    const second = pageOfItems(items, (item) => item.name, { limit: 2, cursor: first.nextCursor! });
    expect(names(second)).toEqual(['patch-ext', 'patch-int']);
    const last = pageOfItems(items, (item) => item.name, { limit: 2, cursor: second.nextCursor! });
    expect(names(last)).toEqual(['uplink']);
    expect(last.nextCursor).toBeNull();
  });

  it('gives no cursor when everything fits, and an empty page after the last key', () => {
    expect(pageOfItems(items, (item) => item.name, {}).nextCursor).toBeNull();
    expect(pageOfItems(items, (item) => item.name, { limit: 5 }).nextCursor).toBeNull();
    const past = Buffer.from('zzz').toString('base64url');
    expect(pageOfItems(items, (item) => item.name, { cursor: past })).toEqual({ items: [], nextCursor: null });
  });

  it('skips nothing when an item before the cursor goes between two pages', () => {
    const first = pageOfItems(items, (item) => item.name, { limit: 2 });
    const fewer = items.filter((item) => item.name !== 'eth-a');
    expect(names(pageOfItems(fewer, (item) => item.name, { limit: 2, cursor: first.nextCursor! }))).toEqual(['patch-ext', 'patch-int']);
  });
});
