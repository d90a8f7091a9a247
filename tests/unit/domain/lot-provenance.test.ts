/** Lots carry their provenance (issue 14): master data, optional for lots recorded before it. */
import { describe, expect, it } from 'vitest';
import { validateView } from '../../../schemas/validate.ts';
import { demoPlantViews } from '../../../sync-server/seed/demo-plant.ts';

const fakeHash = () => Promise.resolve({ algorithm: 'PBKDF2-SHA256' as const, iterations: 10_000, salt: 'c2FsdHNhbHRzYWx0c2FsdA', hash: 'aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g' });

describe('lot provenance', () => {
  it('every bought lot of the demo plant names its supplier, supplier lot, certificate and received date', async () => {
    const views = await demoPlantViews({ now: new Date('2026-11-20T08:00:00Z'), hashPin: fakeHash });
    const lots = views.flatMap((v) => (v.kind === 'lot' ? [v.data] : []));
    const bought = lots.filter((lot) => lot.lotId.startsWith('L-'));
    expect(bought.length).toBeGreaterThanOrEqual(4);
    for (const lot of bought) {
      expect(lot.provenance, lot.lotId).toMatchObject({ supplier: expect.any(String), supplierLot: expect.any(String), certificate: expect.any(String), receivedDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    }
    // Bar stock is traced to its melt: the heat number of the mill test report.
    expect(lots.find((lot) => lot.lotId === 'L-920-A')?.provenance?.heatNumber).toBe('7K2291');
    // A work order's own lot was made in the plant: no supplier provenance.
    expect(lots.find((lot) => lot.lotId.startsWith('LOT-'))?.provenance).toBeUndefined();
  });

  it('a lot without provenance (recorded before it) is still valid; a provenance without its certificate is not', () => {
    expect(validateView({ kind: 'lot', data: { lotId: 'L-1', partNumber: 'P-910', quantity: 5, remaining: 5 } } as never).ok).toBe(true);
    const bad = validateView({ kind: 'lot', data: { lotId: 'L-1', partNumber: 'P-910', quantity: 5, remaining: 5, provenance: { supplier: 'X', receivedDate: '2026-01-01' } } } as never);
    expect(bad.ok).toBe(false);
  });
});
