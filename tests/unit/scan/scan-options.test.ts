import { describe, expect, it } from 'vitest';
import type { ViewDoc } from '../../../schemas/view-doc.ts';
import { emptyPlant, plantFromViews } from '../../../src/domain/plant.ts';
import { stationParseOptions } from '../../../src/features/scan/scan-options.ts';
import { parseScan } from '../../../src/scan/parse.ts';
import { DEMO_IDENTIFIER_FORMATS } from '../../../sync-server/seed/demo-plant.ts';

const formatViews: ViewDoc[] = DEMO_IDENTIFIER_FORMATS.map((data, i) => ({ id: `identifierFormat:${data.id}`, kind: 'identifierFormat', key: data.id, serverSeq: i + 1, data }));

describe('station parse options', () => {
  it('takes the plant formats from master data, in id order', () => {
    const options = stationParseOptions(plantFromViews([...formatViews].reverse()), undefined);
    expect(options.plantFormats?.[0]).toMatchObject({ kind: 'badge' });
    expect(parseScan('B-1001', options)).toMatchObject({ ok: true, badge: 'B-1001' });
    expect(parseScan('WO-1001', options)).toMatchObject({ ok: true, workOrder: 'WO-1001' });
  });

  it('reads a plant identifier as plain text when master data has no formats', () => {
    const parsed = parseScan('B-1001', stationParseOptions(emptyPlant(), undefined));
    expect(parsed).toMatchObject({ ok: true, dataType: 'text' });
    expect(parsed.ok && parsed.badge).toBeUndefined();
  });

  it("applies the station's GS substitute", () => {
    const options = stationParseOptions(emptyPlant(), { maxGapMs: 30, gsSubstitute: '|' });
    expect(parseScan(']d201006141419999961012345|21SN77', options)).toMatchObject({ ok: true, lot: '12345', serial: 'SN77', gtin: '00614141999996' });
  });
});
