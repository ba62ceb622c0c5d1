import { parseArgs } from 'node:util';
import { FleetError } from '@ovs-fleet/errors';
import { assertHostCount, assertLabName } from '@ovs-fleet/lab';

export const DEFAULT_CLI_LAB = 'demo';

export type CliCommand =
  | { command: 'up'; name: string; hosts: number; podman: boolean; auto: boolean; mgmt?: string; underlay?: string; json: boolean }
  | { command: 'status'; name: string; json: boolean }
  | { command: 'down'; target: { name: string } | 'all'; json: boolean }
  | { command: 'list'; json: boolean }
  | { command: 'help' };

export const USAGE = `usage: npm run lab -- <command> [options]
  up     [--name demo] [--hosts 3] [--podman] [--mgmt CIDR] [--underlay CIDR | --auto] [--json]
         build a lab: --mgmt within 198.51.100.0/24, --underlay within 203.0.113.0/24
         (default: both whole /24s); --auto takes the first free pair of
         sub-ranges that fit (/28 up to 4 hosts, /27 up to 20, /26 up to 52)
  status [--name demo] [--json]   daemons, versions, addresses and endpoints per host;
         exits 3 when a daemon or service of the lab is down
  down   [--name demo | --all] [--json]   remove a lab (works after a crash too);
         --all removes every lab under the root, other people's running labs included
  list   [--json]                 labs that have a run dir
Labs live under /run/ovs-fleet-lab (or $OVS_FLEET_LAB_ROOT). Run as root.`;

/** Bad command-line input: the CLI prints the message and the usage, never a stack trace. */
export class UsageError extends FleetError {
  readonly code: string = 'USAGE';
}

const OPTIONS = {
  name: { type: 'string' },
  hosts: { type: 'string' },
  podman: { type: 'boolean', default: false },
  auto: { type: 'boolean', default: false },
  mgmt: { type: 'string' },
  underlay: { type: 'string' },
  all: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function parseHosts(text: string): number {
  if (!/^-?\d+$/.test(text)) throw new UsageError(`--hosts: "${text}" is not a whole number`);
  return assertHostCount(Number(text));
}

const isKnownOption = (arg: string) => arg === '--' || arg === '-h' || Object.keys(OPTIONS).some((name) => arg === `--${name}` || arg.startsWith(`--${name}=`));

/**
 * `--hosts -1`: node's parseArgs takes a value that starts with '-' for an option and
 * answers "argument is ambiguous". Any such value that is not one of our options is
 * glued to its option (`--hosts=-1`), so the option's own check says what is wrong; an
 * option followed by nothing or by another option is refused as missing its value.
 */
function attachDashValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const option = arg.startsWith('--') ? (OPTIONS as Record<string, { type: string }>)[arg.slice(2)] : undefined;
    if (option?.type !== 'string') {
      out.push(arg);
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined || isKnownOption(value)) throw new UsageError(`${arg} needs a value`);
    out.push(`${arg}=${value}`);
    i++;
  }
  return out;
}

export function parseCliArgs(argv: readonly string[]): CliCommand {
  let parsed;
  const args = attachDashValues(argv);
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options: OPTIONS });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0 || positionals[0] === 'help') return { command: 'help' };
  const [command, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument(s): ${extra.join(' ')}`);
  const allowed: Record<string, readonly string[]> = {
    up: ['name', 'hosts', 'podman', 'auto', 'mgmt', 'underlay', 'json'],
    status: ['name', 'json'],
    down: ['name', 'all', 'json'],
    list: ['json'],
  };
  if (!(command in allowed)) throw new UsageError(`unknown command "${command}" (up, status, down, list)`);
  for (const [option, value] of Object.entries(values)) {
    if (option !== 'help' && value !== undefined && value !== false && !allowed[command].includes(option)) {
      throw new UsageError(`--${option} does not apply to "${command}"`);
    }
  }
  const name = () => assertLabName(values.name ?? DEFAULT_CLI_LAB);
  switch (command) {
    case 'up':
      if (values.auto && (values.mgmt !== undefined || values.underlay !== undefined)) throw new UsageError('up takes --auto or --mgmt/--underlay, not both');
      return {
        command,
        name: name(),
        hosts: parseHosts(values.hosts ?? '3'),
        podman: values.podman,
        auto: values.auto,
        ...(values.mgmt !== undefined ? { mgmt: values.mgmt } : {}),
        ...(values.underlay !== undefined ? { underlay: values.underlay } : {}),
        json: values.json,
      };
    case 'status':
      return { command, name: name(), json: values.json };
    case 'down':
      if (values.all && values.name !== undefined) throw new UsageError('down takes --name or --all, not both');
      return { command, target: values.all ? 'all' : { name: name() }, json: values.json };
    default:
      return { command: 'list', json: values.json };
  }
}
