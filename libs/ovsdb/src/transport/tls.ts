import { readFileSync } from 'node:fs';
import type { SecureContextOptions } from 'node:tls';

/**
 * TLS material as made by `ovs-pki`: this side's private key and certificate, and the CA
 * certificate the peer's chain must verify against. A string is a file path, a Buffer PEM.
 */
export interface TlsCredentials {
  privateKey: string | Buffer;
  certificate: string | Buffer;
  caCert: string | Buffer;
}

const load = (source: string | Buffer) => (typeof source === 'string' ? readFileSync(source) : source);

/**
 * Node TLS options that verify the peer's chain against the CA and nothing else, as OVS
 * does: OVS certificates name a role and id in their CN, not a host name, so a host-name
 * check would refuse every valid peer.
 */
export function tlsOptions(credentials: TlsCredentials): SecureContextOptions & { rejectUnauthorized: true; checkServerIdentity: () => undefined } {
  return {
    key: load(credentials.privateKey),
    cert: load(credentials.certificate),
    ca: load(credentials.caCert),
    rejectUnauthorized: true,
    checkServerIdentity: () => undefined,
  };
}
