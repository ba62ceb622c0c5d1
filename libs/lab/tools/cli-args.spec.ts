import { ValidationError } from '@ovs-fleet/iproute';
import { parseCliArgs, UsageError } from './cli-args';

describe('lab CLI arguments', () => {
  it('parses up with defaults and with every option', () => {
    expect(parseCliArgs(['up'])).toEqual({ command: 'up', name: 'demo', hosts: 3, podman: false, auto: false, json: false });
    expect(parseCliArgs(['up', '--hosts', '5', '--name', 'x1', '--podman', '--mgmt', '198.51.100.0/26', '--underlay', '203.0.113.0/26', '--json'])).toEqual({
      command: 'up', name: 'x1', hosts: 5, podman: true, auto: false, mgmt: '198.51.100.0/26', underlay: '203.0.113.0/26', json: true,
    });
    expect(parseCliArgs(['up', '--hosts=2'])).toMatchObject({ command: 'up', hosts: 2 });
    expect(parseCliArgs(['up', '--auto'])).toMatchObject({ command: 'up', auto: true });
  });

  it('parses status, down and list', () => {
    expect(parseCliArgs(['status', '--name', 'demo', '--json'])).toEqual({ command: 'status', name: 'demo', json: true });
    expect(parseCliArgs(['down'])).toEqual({ command: 'down', target: { name: 'demo' }, json: false });
    expect(parseCliArgs(['down', '--all'])).toEqual({ command: 'down', target: 'all', json: false });
    expect(parseCliArgs(['list'])).toEqual({ command: 'list', json: false });
    expect(parseCliArgs([])).toEqual({ command: 'help' });
    expect(parseCliArgs(['status', '-h'])).toEqual({ command: 'help' });
  });

  it.each([
    [['launch'], /unknown command "launch"/],
    [['up', '--hosts', 'three'], /not a whole number/],
    [['up', '--hosts', '-x'], /--hosts: "-x" is not a whole number/],
    [['up', '--hosts', '--json'], /^--hosts needs a value$/],
    [['up', '--name', '--podman'], /^--name needs a value$/],
    [['up', '--bogus'], /bogus/],
    [['up', 'extra'], /unexpected argument/],
    [['status', '--podman'], /--podman does not apply to "status"/],
    [['down', '--all', '--name', 'x'], /--name or --all/],
    [['up', '--auto', '--mgmt', '198.51.100.0/26'], /--auto or --mgmt/],
    [['up', '--name'], /name/],
  ])('refuses %j with a usage error', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });

  it.each([
    [['up', '--hosts', '-1']],
    [['up', '--hosts=-1']],
  ])('says what is wrong with a negative host count %j, not that the argument is ambiguous', (argv) => {
    expect(() => parseCliArgs(argv)).toThrow(ValidationError);
    expect(() => parseCliArgs(argv)).toThrow(/^hosts: -1 must be a whole number from 1 to 99$/);
  });

  it('takes a value that starts with a dash where one is due, and leaves what follows "--" alone', () => {
    expect(() => parseCliArgs(['up', '--name', '-x'])).toThrow(/^lab name: "-x" must be/);
    expect(() => parseCliArgs(['up', '--', '--hosts', '-1'])).toThrow(/unexpected argument\(s\): --hosts -1/);
  });

  it('refuses bad names and host counts with the validator\'s message', () => {
    expect(() => parseCliArgs(['up', '--name', 'Has-Dash'])).toThrow(ValidationError);
    expect(() => parseCliArgs(['up', '--hosts', '0'])).toThrow(/from 1 to 99/);
    expect(() => parseCliArgs(['down', '--name', 'toolongname'])).toThrow(ValidationError);
  });
});
