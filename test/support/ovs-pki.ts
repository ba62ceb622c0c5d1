/**
 * A throw-away PKI made by OVS's own `ovs-pki` in a mkdtemp directory (prefix
 * `ovs-fleet-pki-`): the switch CA plus certificates signed by it, as an operator would
 * make them for ovsdb-server's --private-key/--certificate/--ca-cert.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface PkiCertificate {
  privateKey: string;
  certificate: string;
  /** The CA that signed it (and that its peers must trust). */
  caCert: string;
}

export class OvsPki {
  private constructor(readonly dir: string) {}

  static async create(): Promise<OvsPki> {
    const pki = new OvsPki(mkdtempSync(join(tmpdir(), 'ovs-fleet-pki-')));
    try {
      await pki.run(['init']);
      return pki;
    } catch (error) {
      pki.dispose();
      throw error;
    }
  }

  get caCert(): string {
    return join(this.dir, 'pki', 'switchca', 'cacert.pem');
  }

  /** `ovs-pki req+sign NAME switch`: a key and a certificate (CN from NAME) signed by the switch CA. */
  async issue(name: string): Promise<PkiCertificate> {
    if (!/^[a-z0-9-]{1,32}$/.test(name)) throw new Error(`certificate name "${name}" must be short lowercase letters, digits, '-'`);
    await this.run(['-b', 'req+sign', name, 'switch']);
    return { privateKey: join(this.dir, `${name}-privkey.pem`), certificate: join(this.dir, `${name}-cert.pem`), caCert: this.caCert };
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  // ovs-pki writes NAME-*.pem into its working directory, hence cwd (run() has no cwd option).
  private async run(args: string[]): Promise<void> {
    await execFileAsync('ovs-pki', [`--dir=${join(this.dir, 'pki')}`, `--log=${join(this.dir, 'pki.log')}`, ...args], { cwd: this.dir, timeout: 60_000 });
  }
}
