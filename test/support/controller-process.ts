/**
 * The controller as its own Node process (`npm run controller`'s command), for tests and
 * benchmarks that need several controller processes on one Redis.
 *
 *   const controller = await ControllerProcess.start({ redisUrl, tokens });
 *   try { await fetch(`${controller.url}/v1/hosts`, ...) } finally { await controller.stop(); }
 */
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { controllerCommand } from '../../scripts/controller-command';
import { freePort } from './ovsdb-server';

const ROOT = join(__dirname, '..', '..');
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

export interface ControllerProcessOptions {
  redisUrl: string;
  /** OVS_FLEET_TOKENS */
  tokens: string;
  env?: Record<string, string>;
  /** The program, from the repository's root (default: the controller's entry); it must answer GET /health. It runs with the controller's Node.js options. */
  entry?: string;
}

export class ControllerProcess {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-20_000)));
    child.stderr?.on('data', (chunk: Buffer) => { if (process.env.CONTROLLER_STDERR) process.stderr.write(chunk); this.output = (this.output + chunk.toString()).slice(-20_000); });
  }

  static async start(options: ControllerProcessOptions): Promise<ControllerProcess> {
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => live.forEach((child) => child.kill('SIGKILL')));
    }
    const port = await freePort();
    const nodeArgs = (process.env.CONTROLLER_NODE_ARGS ?? '').split(' ').filter(Boolean); // e.g. --cpu-prof when profiling a benchmark
    const command = controllerCommand(ROOT); // `npm run controller`'s options (package.json)
    // Under `setpriv --pdeathsig KILL`: the kernel ends the controller with this process, however
    // this one ends (jest's own SIGTERM or a SIGKILL run no exit hook of ours).
    const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', process.execPath, ...command.options, ...nodeArgs, join(ROOT, options.entry ?? command.entry)], {
      cwd: ROOT,
      env: {
        ...process.env,
        OVS_FLEET_REDIS_URL: options.redisUrl,
        OVS_FLEET_TOKENS: options.tokens,
        OVS_FLEET_HTTP_HOST: '127.0.0.1',
        OVS_FLEET_HTTP_PORT: String(port),
        OVS_FLEET_LOG_LEVEL: 'warn',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    child.once('exit', () => live.delete(child));
    const controller = new ControllerProcess(child, port);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`controller process exited with ${child.exitCode}:\n${controller.output}`);
      try {
        if ((await fetch(`${controller.url}/health`)).status < 500) return controller;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await controller.stop();
        throw new Error(`controller process did not answer /health within 60 s:\n${controller.output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** SIGTERM (graceful), SIGKILL after 10 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
