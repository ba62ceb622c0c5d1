import { describeError, FleetError } from '@ovs-fleet/errors';
import { OvsdbCommandError, OvsdbCommitError, OvsdbVswitchdTimeoutError } from './commands/errors';
import { OvsdbNotLeaderError } from './client/leadership';
import {
  OvsdbCancelledError,
  OvsdbClosedError,
  OvsdbConnectionError,
  OvsdbDisconnectedError,
  OvsdbError,
  OvsdbProtocolError,
  OvsdbRpcError,
  OvsdbTimeoutError,
  OvsdbTransactionError,
} from './errors';
import { OvsdbReplicaError } from './replica/replica';
import { OvsdbSchemaError } from './schema/schema-error';
import { OvsdbValidationError } from './schema/validation-error';
import { RemoteSyntaxError } from './transport/remote';

describe('OVSDB errors', () => {
  it.each([
    [new OvsdbError('x'), 'OVSDB_ERROR', false],
    [new OvsdbConnectionError('refused', 'tcp:203.0.113.5:6640'), 'OVSDB_CONNECTION', true],
    [new OvsdbDisconnectedError('transact', 'unix:/x'), 'OVSDB_DISCONNECTED', true],
    [new OvsdbNotLeaderError('not the leader'), 'OVSDB_NOT_LEADER', true],
    [new OvsdbTimeoutError('echo', 5000), 'OVSDB_TIMEOUT', true],
    [new OvsdbCancelledError('transact'), 'OVSDB_CANCELLED', false],
    [new OvsdbProtocolError('expected "{"'), 'OVSDB_PROTOCOL', false],
    [new OvsdbRpcError('get_schema', { error: 'unknown database' }), 'OVSDB_RPC', false],
    [new OvsdbTransactionError('timed out', undefined, 0, undefined, []), 'OVSDB_TRANSACTION', true],
    [new OvsdbTransactionError('constraint violation', 'x', 0, undefined, []), 'OVSDB_TRANSACTION', false],
    [new OvsdbClosedError(), 'OVSDB_CLOSED', false],
    [new OvsdbValidationError('Bridge.name', 5, 'is not a string'), 'OVSDB_VALIDATION', false],
    [new OvsdbSchemaError('tables.Bridge', 'no columns'), 'OVSDB_SCHEMA', false],
    [new OvsdbReplicaError('unknown row'), 'OVSDB_REPLICA', false],
    [new OvsdbCommandError(0, 'add-port br0 p1', 'no bridge named br0'), 'OVSDB_COMMAND', false],
    [new OvsdbCommitError('try again', undefined, undefined, 5), 'OVSDB_COMMIT', true],
    [new OvsdbCommitError('error', 'constraint violation', undefined, 1), 'OVSDB_COMMIT', false],
    [new OvsdbVswitchdTimeoutError(7, 6, 1000), 'OVSDB_VSWITCHD_TIMEOUT', true],
    [new RemoteSyntaxError('tcp:', 'missing host'), 'OVSDB_REMOTE_SYNTAX', false],
  ])('%s: an OvsdbError and a FleetError with code %s, retryable %s', (error, code, retryable) => {
    expect(error).toBeInstanceOf(OvsdbError);
    expect(error).toBeInstanceOf(FleetError);
    expect(error.name).toBe(error.constructor.name);
    expect(describeError(error)).toEqual({ code, message: error.message, retryable });
  });

  it('keeps public fields', () => {
    expect(new RemoteSyntaxError('tcp:', 'missing host')).toMatchObject({ remote: 'tcp:', reason: 'missing host', message: 'invalid OVSDB remote "tcp:": missing host' });
    expect(new OvsdbTimeoutError('echo', 5000)).toMatchObject({ method: 'echo', timeoutMs: 5000, message: 'no reply to "echo" within 5000 ms' });
  });
});
