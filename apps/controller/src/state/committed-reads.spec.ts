import { CommittedReads } from './committed-reads';
import { emptyStateReads } from './state-transaction';

describe('CommittedReads', () => {
  it('hands the reads kept after a commit to the next batch that begins at the generation that commit wrote, once', () => {
    const committed = new CommittedReads();
    const reads = emptyStateReads();
    committed.keep('g1', 'g1', 'g2', reads);
    expect(committed.take('g2')).toBe(reads);
    expect(committed.take('g2')).toBeUndefined();
  });

  it('keeps nothing when another writer committed between the batch\'s reads and its write', () => {
    const committed = new CommittedReads();
    committed.keep('g1', 'g-other', 'g2', emptyStateReads());
    expect(committed.take('g2')).toBeUndefined();
  });

  it('hands nothing out when Redis holds another generation, or none (flushed or never written)', () => {
    const committed = new CommittedReads();
    committed.keep(null, null, 'g1', emptyStateReads());
    expect(committed.take('g-other')).toBeUndefined();
    committed.keep(null, null, 'g1', emptyStateReads());
    expect(committed.take(null)).toBeUndefined();
  });

  it('makes a new token for every commit', () => {
    expect(CommittedReads.nextGeneration()).not.toBe(CommittedReads.nextGeneration());
  });
});
