import { describeError, FleetError } from './index';

class FlakyError extends FleetError {
  readonly code = 'FLAKY';
  override readonly retryable = true;
}

describe('FleetError', () => {
  it('carries its name, code and retryability', () => {
    const error = new FlakyError('try again');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('FlakyError');
    expect(describeError(error)).toEqual({ code: 'FLAKY', message: 'try again', retryable: true });
  });

  it('describes foreign errors as INTERNAL and not retryable', () => {
    expect(describeError(new TypeError('x'))).toEqual({ code: 'INTERNAL', message: 'x', retryable: false });
    expect(describeError('boom')).toEqual({ code: 'INTERNAL', message: 'boom', retryable: false });
  });
});
