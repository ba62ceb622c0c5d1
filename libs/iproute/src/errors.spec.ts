import { describeError, FleetError } from '@ovs-fleet/errors';
import { CommandError } from './exec';
import { ValidationError } from './names';

describe('iproute errors', () => {
  it('ValidationError is a non-retryable FleetError naming the field', () => {
    const error = new ValidationError('mtu', '70000 must be from 68 to 65535');
    expect(error).toBeInstanceOf(FleetError);
    expect(error).toMatchObject({ name: 'ValidationError', field: 'mtu', message: 'mtu: 70000 must be from 68 to 65535' });
    expect(describeError(error)).toEqual({ code: 'INVALID_INPUT', message: error.message, retryable: false });
  });

  it('CommandError is a non-retryable FleetError carrying what was run', () => {
    const error = new CommandError('ip', ['link', 'del', 'x'], 1, 'Cannot find device "x"\n');
    expect(error).toBeInstanceOf(FleetError);
    expect(error).toMatchObject({ name: 'CommandError', file: 'ip', args: ['link', 'del', 'x'], exitCode: 1, stderr: 'Cannot find device "x"\n' });
    expect(describeError(error)).toEqual({ code: 'COMMAND_FAILED', message: 'ip link del x failed (exit 1): Cannot find device "x"', retryable: false });
  });
});
