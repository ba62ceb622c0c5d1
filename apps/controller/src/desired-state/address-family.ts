import { isIP } from 'node:net';
import { DesiredStateInputError } from './errors';

export type AddressFamily = 4 | 6;

/** The family of a bare IP address; anything else was let through validation by mistake. */
export function addressFamily(address: string, what: string): AddressFamily {
  const family = isIP(address);
  if (family === 0) throw new DesiredStateInputError(`${what} "${address}" is not an IP address`);
  return family as AddressFamily;
}
