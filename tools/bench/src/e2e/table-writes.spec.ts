import { type TableWrites, tableWritesBetween, tableWritesLine } from './table-writes';

const entry = (
  table: string,
  inserts: number,
  updates: number,
  hotUpdates = 0,
  deletes = 0,
): TableWrites => ({
  table,
  inserts,
  updates,
  hotUpdates,
  deletes,
});
const snapshot = (...entries: TableWrites[]) => new Map(entries.map((writes) => [writes.table, writes]));

describe('tableWritesBetween', () => {
  it('subtracts the snapshots, busiest table first, leaving out tables nobody wrote', () => {
    const before = snapshot(entry('storage.articles', 100, 50, 10), entry('ingestion.ledger', 5, 5));
    const after = snapshot(
      entry('storage.articles', 200, 250, 10),
      entry('ingestion.ledger', 5, 5),
      entry('notification.deliveries', 100, 100, 90, 0),
    );
    expect(tableWritesBetween(before, after)).toEqual([
      entry('storage.articles', 100, 200, 0),
      entry('notification.deliveries', 100, 100, 90),
    ]);
  });
});

describe('tableWritesLine', () => {
  it('gives writes per article of each kind', () => {
    expect(
      tableWritesLine([entry('storage.articles', 100, 200, 0), entry('storage.entities', 0, 0, 0, 50)], 100),
    ).toBe(
      'Row writes per article: storage.articles 1.00 ins + 2.00 upd (0.00 HOT); storage.entities 0.50 del',
    );
  });

  it('says n/a without statistics', () => {
    expect(tableWritesLine([], 10)).toBe('Row writes per article: n/a');
  });
});
