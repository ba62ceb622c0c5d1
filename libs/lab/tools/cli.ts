/** The lab's command line: `npm run lab -- <command>` (see USAGE). */
import { ValidationError } from '@ovs-fleet/iproute';
import { formatStatus, formatTeardown, Lab, whatIsDown } from '@ovs-fleet/lab';
import { parseCliArgs, USAGE, UsageError } from './cli-args';

/** Exit status of `status` when the lab exists but a daemon or service of it is down. */
const EXIT_DEGRADED = 3;

const print = (json: boolean, value: unknown, human: string) => console.log(json ? JSON.stringify(value, null, 2) : human);

async function main(argv: readonly string[]): Promise<void> {
  const command = parseCliArgs(argv);
  switch (command.command) {
    case 'help':
      console.log(USAGE);
      return;
    case 'up': {
      const started = performance.now();
      const lab = await Lab.up({
        name: command.name,
        hosts: command.hosts,
        podman: command.podman,
        autoRanges: command.auto,
        ...(command.mgmt ? { mgmt: command.mgmt } : {}),
        ...(command.underlay ? { underlay: command.underlay } : {}),
      });
      const status = await lab.status();
      const ms = Math.round(performance.now() - started);
      print(command.json, { ...status, hosts: lab.hosts, upMs: ms }, `${formatStatus(status)}\nup in ${ms} ms; remove with: npm run lab -- down --name ${lab.name}`);
      return;
    }
    case 'status': {
      const status = await (await Lab.open(command.name)).status();
      print(command.json, status, formatStatus(status));
      const down = whatIsDown(status);
      if (down.length > 0) {
        console.error(`lab ${status.name}: down: ${down.join(', ')}`);
        process.exitCode = EXIT_DEGRADED;
      }
      return;
    }
    case 'down': {
      const names = command.target === 'all' ? await Lab.list() : [command.target.name];
      const reports = [];
      for (const name of names) reports.push(await Lab.down(name));
      print(command.json, reports, reports.length === 0 ? 'no labs found' : reports.map(formatTeardown).join('\n'));
      return;
    }
    case 'list': {
      const names = await Lab.list();
      print(command.json, names, names.length === 0 ? 'no labs found' : names.join('\n'));
      return;
    }
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  const usage = error instanceof UsageError || error instanceof ValidationError;
  console.error(`lab: ${message}`);
  if (usage) console.error(`\n${USAGE}`);
  process.exitCode = usage ? 2 : 1;
});
