import { GroupWhileBusy } from './group-while-busy';

/** A runMany whose calls finish when the test says so. */
function controlled() {
  const calls: { items: number[]; finish: (results?: string[]) => void; fail: (error: Error) => void }[] = [];
  const runMany = (items: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      calls.push({ items, finish: (results) => resolve(results ?? items.map((item) => `r${item}`)), fail: reject });
    });
  return { calls, runMany };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupWhileBusy', () => {
  it('starts a lone call at once, and sends what came meanwhile together in the next, each answered with its own result', async () => {
    const { calls, runMany } = controlled();
    const group = new GroupWhileBusy(runMany);
    const first = group.run(1);
    expect(calls.map((call) => call.items)).toEqual([[1]]);
    const later = [group.run(2), group.run(3), group.run(4)];
    await tick();
    expect(calls).toHaveLength(1);
    calls[0].finish();
    await expect(first).resolves.toBe('r1');
    await tick();
    expect(calls.map((call) => call.items)).toEqual([[1], [2, 3, 4]]);
    calls[1].finish();
    await expect(Promise.all(later)).resolves.toEqual(['r2', 'r3', 'r4']);
  });

  it('sends at most max items a call, in the order they came', async () => {
    const { calls, runMany } = controlled();
    const group = new GroupWhileBusy(runMany, { max: 2 });
    const all = [1, 2, 3, 4, 5].map((item) => group.run(item));
    for (let i = 0; i < 3; i++) {
      await tick();
      calls[i].finish();
    }
    await expect(Promise.all(all)).resolves.toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    expect(calls.map((call) => call.items)).toEqual([[1], [2, 3], [4, 5]]);
  });

  it('fails every item of a failed call, and only those; a call answering the wrong number of results fails too', async () => {
    const { calls, runMany } = controlled();
    const onIdle = jest.fn();
    const group = new GroupWhileBusy(runMany, { onIdle });
    const first = group.run(1);
    const second = [group.run(2), group.run(3)];
    calls[0].fail(new Error('redis went away'));
    await expect(first).rejects.toThrow('redis went away');
    await tick();
    calls[1].finish(['only one']);
    await expect(Promise.all(second)).rejects.toThrow('1 results for 2 items');
    await tick();
    expect(onIdle).toHaveBeenCalledTimes(1);
    const again = group.run(4);
    expect(calls.map((call) => call.items)).toEqual([[1], [2, 3], [4]]);
    calls[2].finish();
    await expect(again).resolves.toBe('r4');
    await tick();
    expect(onIdle).toHaveBeenCalledTimes(2);
  });

  it('with gatherTurn, the first call waits for the end of the turn and takes what came in it', async () => {
    const { calls, runMany } = controlled();
    const group = new GroupWhileBusy(runMany, { gatherTurn: true });
    const all = [group.run(1), group.run(2)];
    expect(calls).toHaveLength(0);
    await tick();
    expect(calls.map((call) => call.items)).toEqual([[1, 2]]);
    calls[0].finish();
    await expect(Promise.all(all)).resolves.toEqual(['r1', 'r2']);
  });
});
