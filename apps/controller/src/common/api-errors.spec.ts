import { BadRequestError, ConflictError } from './api-errors';

describe('api errors', () => {
  it('a bad request names its first field and keeps every problem', () => {
    const error = BadRequestError.of([
      { field: 'segmentId', message: 'must be 1..16777215' },
      { field: 'mtu', message: 'must be at least 68' },
    ]);
    expect(error.toJSON()).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
      message: 'segmentId: must be 1..16777215; mtu: must be at least 68',
      field: 'segmentId',
      details: [
        { field: 'segmentId', message: 'must be 1..16777215' },
        { field: 'mtu', message: 'must be at least 68' },
      ],
    });
  });

  it('a conflict names its field', () => {
    expect(new ConflictError('name', 'network "blue" exists').toJSON()).toMatchObject({ status: 409, field: 'name', code: 'CONFLICT' });
  });
});
