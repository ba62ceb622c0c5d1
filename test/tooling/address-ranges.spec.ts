/**
 * Container and overlay addresses in the tests, the demo, the benchmarks and the libraries'
 * documentation come from 198.18.0.0/15 (the benchmarking range), never from the private
 * ranges a real network may use (10/8, 172.16/12, 192.168/16). Management (198.51.100.0/24)
 * and underlay (203.0.113.0/24) addresses are the lab's own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const PRIVATE_IPV4 = /(?<![\d.])(10\.\d{1,3}|172\.(1[6-9]|2\d|3[01])|192\.168)\.\d{1,3}\.\d{1,3}(?![\d.])|`10\.\$\{|'10\.' *\+/g;

function files(dir: string, keep: (path: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : files(path, keep);
    return keep(path) ? [path] : [];
  });
}

function privateAddresses(text: string): string[] {
  return [...text.matchAll(PRIVATE_IPV4)].map((match) => match[0]);
}

describe('container addresses', () => {
  it('finds private-range addresses (the detection itself)', () => {
    expect(privateAddresses("addresses: ['10.76.0.1/24'], to: '172.31.0.0/16', via 192.168.1.1")).toEqual(['10.76.0.1', '172.31.0.0', '192.168.1.1']);
    expect(privateAddresses('const a = (i) => `10.${i}.0.1`;')).toEqual(['`10.${']);
    expect(privateAddresses("198.18.10.1/24 198.51.100.10 203.0.113.10 172.15.0.1 110.1.2.3 fd42:10::1 1.10.0.0.1")).toEqual([]);
  });

  it('come from 198.18.0.0/15 in test/, scripts/ and the libraries\' documentation', () => {
    const scanned = [
      ...files(join(ROOT, 'test'), (p) => /\.(ts|js|py|sh)$/.test(p) && p !== __filename),
      ...files(join(ROOT, 'scripts'), () => true),
      ...files(join(ROOT, 'libs'), (p) => p.endsWith('.md')),
    ];
    const found = scanned.flatMap((path) => privateAddresses(readFileSync(path, 'utf8')).map((address) => `${relative(ROOT, path)}: ${address}`));
    expect(scanned.length).toBeGreaterThan(20);
    expect(found).toEqual([]);
  });
});
