import { isIP } from 'node:net';
import { OvsdbError } from '../errors';

/** OVSDB's default port (IANA). */
export const OVSDB_PORT = 6640;

export type ActiveRemote = { kind: 'unix'; path: string } | { kind: 'tcp' | 'ssl'; host: string; port: number };
export type PassiveRemote = { kind: 'punix'; path: string } | { kind: 'ptcp' | 'pssl'; port: number; host?: string };
export type Remote = ActiveRemote | PassiveRemote;

/** A remote string that does not follow OVS's syntax. */
export class RemoteSyntaxError extends OvsdbError {
  override readonly code: string = 'OVSDB_REMOTE_SYNTAX';

  constructor(
    readonly remote: string,
    readonly reason: string,
  ) {
    super(`invalid OVSDB remote "${remote}": ${reason}`);
  }
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export const isPassive = (remote: Remote): remote is PassiveRemote => remote.kind.startsWith('p');

/**
 * Parses OVS remote syntax: `unix:PATH`, `tcp:HOST[:PORT]`, `ssl:HOST[:PORT]` (IPv6
 * hosts in brackets: `tcp:[::1]:6640`), and the passive `punix:PATH`, `ptcp:[PORT][:HOST]`,
 * `pssl:[PORT][:HOST]`. Ports default to 6640; a passive port of 0 lets the kernel choose.
 */
export function parseRemote(text: string): Remote {
  const colon = text.indexOf(':');
  if (colon < 0) throw new RemoteSyntaxError(text, 'expected METHOD:ARGS (unix:, tcp:, ssl:, punix:, ptcp:, pssl:)');
  const kind = text.slice(0, colon);
  const rest = text.slice(colon + 1);
  switch (kind) {
    case 'unix':
    case 'punix':
      if (rest.length === 0 || rest.includes('\0')) throw new RemoteSyntaxError(text, 'expected a socket path');
      return { kind, path: rest };
    case 'tcp':
    case 'ssl': {
      const [host, port] = splitHostPort(text, rest);
      if (host === undefined) throw new RemoteSyntaxError(text, 'expected HOST[:PORT]');
      return { kind, host, port: parsePort(text, port, false) };
    }
    case 'ptcp':
    case 'pssl': {
      // Passive order is PORT first, then the address to bind: ptcp:6640:127.0.0.1
      const split = rest.indexOf(':');
      const portText = split < 0 ? rest : rest.slice(0, split);
      const port = parsePort(text, portText === '' ? undefined : portText, true);
      if (split < 0 || split === rest.length - 1) return { kind, port };
      return { kind, port, host: parseHost(text, rest.slice(split + 1)) };
    }
    default:
      throw new RemoteSyntaxError(text, `unknown method "${kind}"`);
  }
}

/** The OVS string for a remote (round-trips with parseRemote). */
export function formatRemote(remote: Remote): string {
  switch (remote.kind) {
    case 'unix':
    case 'punix':
      return `${remote.kind}:${remote.path}`;
    case 'tcp':
    case 'ssl':
      return `${remote.kind}:${bracket(remote.host)}:${remote.port}`;
    case 'ptcp':
    case 'pssl':
      return remote.host === undefined ? `${remote.kind}:${remote.port}` : `${remote.kind}:${remote.port}:${bracket(remote.host)}`;
  }
}

const bracket = (host: string) => (isIP(host) === 6 ? `[${host}]` : host);

function splitHostPort(text: string, rest: string): [string | undefined, string | undefined] {
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) throw new RemoteSyntaxError(text, 'unclosed "[" around an IPv6 address');
    const host = parseHost(text, rest.slice(0, close + 1));
    const after = rest.slice(close + 1);
    if (after === '') return [host, undefined];
    if (!after.startsWith(':')) throw new RemoteSyntaxError(text, 'expected ":PORT" after "]"');
    return [host, after.slice(1)];
  }
  const parts = rest.split(':');
  if (parts.length > 2) throw new RemoteSyntaxError(text, 'IPv6 addresses must be in brackets, e.g. tcp:[::1]:6640');
  return [parts[0] === '' ? undefined : parseHost(text, parts[0]), parts[1]];
}

function parseHost(text: string, host: string): string {
  if (host.startsWith('[')) {
    const inner = host.endsWith(']') ? host.slice(1, -1) : '';
    if (isIP(inner) !== 6) throw new RemoteSyntaxError(text, `"${host}" is not a bracketed IPv6 address`);
    return inner;
  }
  if (isIP(host) === 4 || HOSTNAME.test(host)) return host;
  throw new RemoteSyntaxError(text, `"${host}" is not an IPv4 address or host name`);
}

function parsePort(text: string, port: string | undefined, passive: boolean): number {
  if (port === undefined) return OVSDB_PORT;
  if (!/^\d{1,5}$/.test(port)) throw new RemoteSyntaxError(text, `"${port}" is not a port number`);
  const value = Number(port);
  if (value > 65535 || (value === 0 && !passive)) throw new RemoteSyntaxError(text, `port ${value} is out of range`);
  return value;
}
