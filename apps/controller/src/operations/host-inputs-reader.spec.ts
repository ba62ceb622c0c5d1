import { parseReportEntry } from './host-inputs-reader';

describe('parseReportEntry', () => {
  const applied = { kind: 'applied', revision: 3, at: 1000, receipts: { pickedUpAt: 990, committedAt: null, vswitchdAppliedAt: null, linkUpAt: null }, changes: 0, repaired: 0, requestId: null };
  const failed = { kind: 'failed', revision: 3, at: 1000, error: { code: 'X', message: 'y', retryable: true }, final: false, attempt: 1, requestId: null };

  it('reads the `report` field of a stream entry, wherever it sits', () => {
    expect(parseReportEntry(['report', JSON.stringify(applied)])).toEqual(applied);
    expect(parseReportEntry(['agent', 'a1', 'report', JSON.stringify(failed)])).toEqual(failed);
  });

  it.each([
    ['no report field', ['other', '{}']],
    ['a field without a value', ['report']],
    ['not JSON', ['report', '{nope']],
    ['JSON null', ['report', 'null']],
    ['an unknown kind', ['report', JSON.stringify({ ...applied, kind: 'done' })]],
    ['applied without receipts', ['report', JSON.stringify({ ...applied, receipts: null })]],
    ['failed without an error', ['report', JSON.stringify({ ...failed, error: undefined })]],
    ['a revision that is not an integer', ['report', JSON.stringify({ ...applied, revision: '3' })]],
    ['no time', ['report', JSON.stringify({ ...applied, at: undefined })]],
  ])('ignores an entry with %s', (_case, fields) => {
    expect(parseReportEntry(fields)).toBeNull();
  });
});
