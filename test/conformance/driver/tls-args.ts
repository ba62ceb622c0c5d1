import type { TlsCredentials } from '@ovs-fleet/ovsdb';
import { DriverExit } from './idl-set';

/**
 * For an `ssl:` remote, test-ovsdb.py takes the private key, its certificate and the peer's
 * CA certificate as the first three command arguments (Stream.ssl_set_*_file).
 */
export function takeTlsArgs(remote: string, commands: readonly string[]): { tls: TlsCredentials | undefined; commands: string[] } {
  if (!remote.startsWith('ssl:')) return { tls: undefined, commands: [...commands] };
  if (commands.length < 3) throw new DriverExit('SSL connection requires private key, certificate for private key, and peer CA certificate as arguments\n');
  return { tls: { privateKey: commands[0], certificate: commands[1], caCert: commands[2] }, commands: commands.slice(3) };
}
