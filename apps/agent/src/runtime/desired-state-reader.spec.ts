import { DESIRED_STATE_SCHEMA, redisKeys } from '@ovs-fleet/contracts';
import { desiredHost } from '../planner/testing/fixtures';
import { UnreadableDesiredStateError } from './errors';
import { parseDesiredState, readDesiredState } from './desired-state-reader';

describe('readDesiredState', () => {
  it("reads the host's own key; null when the controller wrote none", async () => {
    const doc = desiredHost({ revision: 4 });
    const keys: string[] = [];
    const redis = { get: async (key: string) => (keys.push(key), key === redisKeys.hostDesired('h1') ? JSON.stringify(doc) : null) };
    expect(await readDesiredState(redis, 'h1')).toEqual(doc);
    expect(await readDesiredState(redis, 'h2')).toBeNull();
    expect(keys).toEqual([redisKeys.hostDesired('h1'), redisKeys.hostDesired('h2')]);
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['an array', '[]', /not a JSON object/],
    ['another schema', JSON.stringify({ ...desiredHost(), schema: DESIRED_STATE_SCHEMA + 1 }), /schema 2: this agent knows schema 1 only/],
    ['another host', JSON.stringify(desiredHost({ hostId: 'h2' })), /hostId "h2": this agent is host h1/],
    ['a fractional revision', JSON.stringify(desiredHost({ revision: 1.5 })), /revision 1.5 is not a whole number/],
  ])('refuses %s, final (not retryable)', (_what, text, message) => {
    let thrown: unknown;
    try {
      parseDesiredState(text, 'h1');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UnreadableDesiredStateError);
    expect(thrown).toMatchObject({ code: 'DESIRED_STATE_UNREADABLE', retryable: false });
    expect((thrown as Error).message).toMatch(message);
  });
});
