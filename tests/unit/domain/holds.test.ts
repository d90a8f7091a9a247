import { describe, expect, it } from 'vitest';
import { checkRelease, holdsFor } from '../../../src/domain/holds.ts';
import { SN1, SN2, event, fixturePlant, plantAfter } from './fixture.ts';

const signature = (holdId: string) =>
  event('hold.released', 'B-SUP', {
    holdId,
    signature: { signerBadge: 'B-SUP', printedName: 'Sam Reyes', meaning: 'released for further processing', reason: 'Re-measured, in tolerance', signedAt: '2026-11-21T10:05:00.000Z', components: 'badge+pin' },
  });

describe('releasing a hold', () => {
  const held = () => plantAfter(event('hold.placed', 'B-Q', { holdId: 'H-1', subject: SN1, reason: 'Crack' }));

  it('lets a supervisor or quality release with a reason', () => {
    expect(checkRelease(held(), { holdId: 'H-1', signerBadge: 'B-SUP', reason: 'Checked' })).toMatchObject({ ok: true });
    expect(checkRelease(held(), { holdId: 'H-1', signerBadge: 'B-Q', reason: 'Checked' })).toMatchObject({ ok: true });
  });

  it('refuses operators and inspectors', () => {
    expect(checkRelease(held(), { holdId: 'H-1', signerBadge: 'B-OP', reason: 'x' })).toMatchObject({
      ok: false, code: 'role-not-allowed', message: 'Ana Ortiz is signed in as operator; only a supervisor or quality may release a hold',
    });
    expect(checkRelease(held(), { holdId: 'H-1', signerBadge: 'B-INS', reason: 'x' })).toMatchObject({ ok: false, code: 'role-not-allowed' });
  });

  it('requires a typed reason, and a hold that is active', () => {
    expect(checkRelease(held(), { holdId: 'H-1', signerBadge: 'B-SUP', reason: '  ' })).toMatchObject({ ok: false, code: 'reason-required' });
    expect(checkRelease(held(), { holdId: 'H-404', signerBadge: 'B-SUP', reason: 'x' })).toMatchObject({ ok: false, code: 'unknown-hold' });
    const released = plantAfter(event('hold.placed', 'B-Q', { holdId: 'H-1', subject: SN1, reason: 'Crack' }), signature('H-1'));
    expect(checkRelease(released, { holdId: 'H-1', signerBadge: 'B-SUP', reason: 'x' })).toMatchObject({ ok: false, code: 'hold-not-active' });
  });

  it('records the signature with the release, and clears only the hold it names', () => {
    const plant = plantAfter(
      event('hold.placed', 'B-Q', { holdId: 'H-1', subject: SN1, reason: 'Crack' }),
      event('hold.placed', 'B-Q', { holdId: 'H-2', subject: SN1, reason: 'Second finding' }),
      signature('H-1'),
    );
    expect(plant.holds.get('H-1')).toMatchObject({ status: 'released', release: { signature: { printedName: 'Sam Reyes', meaning: 'released for further processing' } } });
    expect(plant.holds.get('H-2')?.status).toBe('active');
  });

  it('shows a supervisor the holds at their work centers, and material holds everywhere', () => {
    const plant = plantAfter(event('hold.placed', 'B-Q', { holdId: 'H-1', subject: SN2, reason: 'Crack' }));
    const sam = plant.operators.get('B-SUP');
    const tara = plant.operators.get('B-SUP2');
    if (sam === undefined || tara === undefined) throw new Error('fixture roster changed');
    expect(holdsFor(plant, sam).map((h) => h.holdId).sort()).toEqual(['H-1', 'H-BRG', 'H-LOT']);
    expect(holdsFor(plant, tara).map((h) => h.holdId).sort()).toEqual(['H-BRG', 'H-LOT']);
    expect(holdsFor(fixturePlant(), sam).map((h) => h.holdId).sort()).toEqual(['H-BRG', 'H-LOT']);
  });
});
