/**
 * The rows an append writes (sync-server/store/append-rows.ts): the recordset JSON PostgreSQL
 * reads is the JSON of the rows as objects keyed by column, however it is written, and a value
 * already encoded (JsonText, a pushed event's RFC 8785 text) goes into a json column as it is, in
 * both forms.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copyText, JsonText, recordsetParameters, type Column } from '../../../sync-server/store/append-rows.ts';

const COLUMNS: Column[] = [
  { name: 'id', type: 'text' },
  { name: 'n', type: 'bigint' },
  { name: 'data', type: 'jsonb' },
  { name: 'note', type: 'text' },
];

/** What the rows' JSON was before it was written field by field: the objects, stringified. */
function asObjects(rows: ReadonlyArray<readonly unknown[]>): string {
  return JSON.stringify(
    rows.map((row) => ({ id: row[0] ?? null, n: typeof row[1] === 'number' ? String(row[1]) : null, data: row[2] ?? null, note: row[3] ?? null })),
  );
}

describe('appending rows', () => {
  it('writes the recordset JSON of any rows as the rows as objects would be', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string(), fc.option(fc.integer(), { nil: null }), fc.jsonValue(), fc.option(fc.string(), { nil: undefined }))),
        (rows) => {
          const [parameter] = recordsetParameters(COLUMNS, rows);
          expect(JSON.parse(parameter ?? '[]')).toEqual(JSON.parse(asObjects(rows)));
          expect(parameter ?? '[]').toBe(asObjects(rows));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('splits many rows into several parameters, in order', () => {
    const rows = Array.from({ length: 4500 }, (_, i) => [`e-${i}`, i, { i }, null]);
    const parameters = recordsetParameters(COLUMNS, rows);
    expect(parameters).toHaveLength(3);
    expect(parameters.flatMap((p) => JSON.parse(p) as Array<{ id: string }>).map((r) => r.id)).toEqual(rows.map((r) => r[0]));
  });

  it('takes an encoded JSON value as it is, in the recordset and in COPY text', () => {
    const text = '{"a":1,"b":"x\\ty"}';
    const rows = [['e-1', 1, new JsonText(text), 'tab\there']];
    expect(recordsetParameters(COLUMNS, rows)).toEqual([`[{"id":"e-1","n":"1","data":${text},"note":"tab\\there"}]`]);
    expect(copyText(COLUMNS, rows)).toBe(`e-1\t1\t{"a":1,"b":"x\\\\ty"}\ttab\\there\n`);
    // The same as the value itself encoded.
    expect(recordsetParameters(COLUMNS, rows)).toEqual(recordsetParameters(COLUMNS, [['e-1', 1, { a: 1, b: 'x\ty' }, 'tab\there']]));
    expect(copyText(COLUMNS, rows)).toBe(copyText(COLUMNS, [['e-1', 1, { a: 1, b: 'x\ty' }, 'tab\there']]));
  });

  it('refuses a row of the wrong length', () => {
    expect(() => recordsetParameters(COLUMNS, [['e-1', 1]])).toThrow(/2 values for 4 columns/);
    expect(() => copyText(COLUMNS, [['e-1', 1]])).toThrow(/2 values for 4 columns/);
  });
});
