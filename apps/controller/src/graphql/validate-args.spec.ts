import { BadRequestError } from '../common/api-errors';
import { PageQuery } from '../common/pagination';
import { HostIdParam } from '../common/params';
import { AttachmentQuery } from '../attachments/attachment.dto';
import { PAGE_ARGUMENT_NAMES } from './shared.graphql-types';
import { validArgs } from './validate-args';

async function refusal(run: Promise<unknown>): Promise<BadRequestError> {
  const error = await run.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(BadRequestError);
  return error as BadRequestError;
}

describe('validArgs', () => {
  it('answers an instance of the DTO holding the values given', async () => {
    const query = await validArgs(AttachmentQuery, { network: 'blue', host: null, limit: 20, cursor: undefined }, PAGE_ARGUMENT_NAMES);
    expect(query).toBeInstanceOf(AttachmentQuery);
    expect({ ...query }).toEqual({ network: 'blue', limit: 20 });
  });

  it('refuses with the REST message, naming the argument rather than the DTO field', async () => {
    const error = await refusal(validArgs(PageQuery, { limit: 501, cursor: 'not a cursor!' }, PAGE_ARGUMENT_NAMES));
    expect(error.toJSON()).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
      message: 'first: must not be greater than 500; after: must be the nextCursor of a previous page',
      field: 'first',
      details: [
        { field: 'first', message: 'must not be greater than 500' },
        { field: 'after', message: 'must be the nextCursor of a previous page' },
      ],
    });
  });

  it('keeps the names of arguments named as their DTO field', async () => {
    const error = await refusal(validArgs(HostIdParam, { id: 'Host_1' }));
    expect(error.field).toBe('id');
    expect(error.message).toContain('lowercase letters');
  });

  it('refuses a required value that was not given', async () => {
    expect((await refusal(validArgs(HostIdParam, { id: null }))).field).toBe('id');
  });
});
