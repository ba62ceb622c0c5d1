import { hash } from 'node:crypto';

/** A stable, locally administered unicast MAC for an attachment id (02:xx:..: never multicast). */
export function generatedMac(attachmentId: string): string {
  const bytes = hash('sha256', `mac\0${attachmentId}`, 'buffer').subarray(0, 6);
  bytes[0] = (bytes[0] & 0xfc) | 0x02;
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
}
