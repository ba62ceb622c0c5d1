import { describeError, FleetError } from '@ovs-fleet/errors';
import { LabExistsError, LabLockTimeoutError, LabNeedsRootError, LabNotFoundError, RangeConflictError } from './errors';

describe('lab errors', () => {
  it.each([
    [new LabExistsError('demo', ['run dir /run/ovs-fleet-lab/demo']), 'LabExistsError', 'LAB_EXISTS', false],
    [new LabNotFoundError('demo'), 'LabNotFoundError', 'LAB_NOT_FOUND', false],
    [new RangeConflictError(['mgmt range 198.51.100.0/24 overlaps address 198.51.100.7/24 on eth9']), 'RangeConflictError', 'LAB_RANGE_CONFLICT', false],
    [new LabLockTimeoutError('/run/ovs-fleet-lab/.allocation.lock', 30_000), 'LabLockTimeoutError', 'LAB_LOCK_TIMEOUT', true],
    [new LabNeedsRootError(), 'LabNeedsRootError', 'LAB_NEEDS_ROOT', false],
  ])('%s is a FleetError with its name, code and retryability', (error, name, code, retryable) => {
    expect(error).toBeInstanceOf(FleetError);
    expect(error.name).toBe(name);
    expect(describeError(error)).toEqual({ code, message: error.message, retryable });
  });

  it('keeps the public fields callers read', () => {
    expect(new LabExistsError('demo', ['a', 'b', 'c', 'd'])).toMatchObject({ labName: 'demo', found: ['a', 'b', 'c', 'd'], message: expect.stringContaining('(a, b, c, ...)') });
    expect(new LabNotFoundError('x1')).toMatchObject({ labName: 'x1' });
    expect(new RangeConflictError(['a'])).toMatchObject({ conflicts: ['a'] });
  });
});
