import fc from 'fast-check';
import { spannedHosts, spans } from './host-selector';
import { hostRecord, networkRecord } from './testing/records';

describe('spans', () => {
  const h1 = hostRecord('h1', { labels: { rack: 'r1', zone: 'a' } });

  it('a network on every host spans a host without labels', () => {
    expect(spans(networkRecord('blue', { hosts: { all: true } }), hostRecord('h0'))).toBe(true);
  });

  it('a label selector needs every one of its labels, with the same value', () => {
    expect(spans(networkRecord('blue', { hosts: { labels: { rack: 'r1' } } }), h1)).toBe(true);
    expect(spans(networkRecord('blue', { hosts: { labels: { rack: 'r1', zone: 'a' } } }), h1)).toBe(true);
    expect(spans(networkRecord('blue', { hosts: { labels: { rack: 'r1', zone: 'b' } } }), h1)).toBe(false);
    expect(spans(networkRecord('blue', { hosts: { labels: { rack: 'r1', role: 'edge' } } }), h1)).toBe(false);
  });

  it('an empty label selector spans every host', () => {
    expect(spans(networkRecord('blue', { hosts: { labels: {} } }), hostRecord('h0'))).toBe(true);
  });

  it('adding labels to a host never takes it out of a network', () => {
    const labels = fc.dictionary(fc.constantFrom('rack', 'zone', 'role'), fc.constantFrom('a', 'b'));
    fc.assert(
      fc.property(labels, labels, labels, (selector, hostLabels, extra) => {
        const network = networkRecord('n', { hosts: { labels: selector } });
        if (spans(network, hostRecord('h', { labels: hostLabels }))) {
          const more = { ...extra, ...hostLabels };
          expect(spans(network, hostRecord('h', { labels: more }))).toBe(true);
        }
      }),
    );
  });
});

describe('spannedHosts', () => {
  it('keeps the matching hosts in their order', () => {
    const hosts = [hostRecord('h3', { labels: { gpu: 'yes' } }), hostRecord('h1'), hostRecord('h2', { labels: { gpu: 'yes' } })];
    expect(spannedHosts(networkRecord('blue', { hosts: { labels: { gpu: 'yes' } } }), hosts).map((h) => h.id)).toEqual(['h3', 'h2']);
  });
});
