import { describe, expect, it } from 'vitest';
import { orderQueue, queueMarks } from '../../../src/domain/queue.ts';
import { queueFor } from '../../../src/domain/traveler.ts';
import { SN1, SN2, completed, event, plantAfter, started } from './fixture.ts';

const marksAt = (plant: ReturnType<typeof plantAfter>, wc: string, today = '2026-11-30') => {
  const traveler = queueFor(plant, wc).find((t) => t.workOrder.id === 'WO-1');
  if (traveler === undefined) throw new Error(`WO-1 not queued at ${wc}`);
  return queueMarks(plant, traveler, wc, today);
};

describe('queue marks', () => {
  it('counts units ready now at this work center: every earlier operation complete', () => {
    // Nothing done: OP10 at WC-A is ready on both units; OP30 at WC-Q (inspection) on none.
    expect(marksAt(plantAfter(), 'WC-A')).toMatchObject({ waiting: 2, ready: 2, holds: [] });
    expect(marksAt(plantAfter(), 'WC-Q')).toMatchObject({ waiting: 2, ready: 0 });
    const through = plantAfter(started('OP10'), completed('OP10'), started('OP20', SN1, 'B-ASM'), completed('OP20', SN1, 'B-ASM'));
    expect(marksAt(through, 'WC-Q')).toMatchObject({ waiting: 2, ready: 1 });
  });

  it('names the holds on the work order or its units, and a held unit is not ready', () => {
    const held = plantAfter(event('hold.placed', 'B-SUP', { holdId: 'H-1', subject: SN2, reason: 'Dropped' }));
    const marks = marksAt(held, 'WC-A');
    expect(marks.holds.map((h) => h.holdId)).toEqual(['H-1']);
    expect(marks.ready).toBe(1);
  });

  it('is overdue after its due date, not on it', () => {
    expect(marksAt(plantAfter(), 'WC-A', '2026-12-01').overdue).toBe(false);
    expect(marksAt(plantAfter(), 'WC-A', '2026-12-02').overdue).toBe(true);
  });

  it('lists work ready now first, then soonest due', () => {
    const plant = plantAfter();
    const rows = queueFor(plant, 'WC-Q').map((traveler) => ({ traveler, marks: queueMarks(plant, traveler, 'WC-Q', '2026-11-30') }));
    const fake = rows.map((row, i) => ({ ...row, marks: { ...row.marks, ready: i === rows.length - 1 ? 1 : 0 } }));
    expect(orderQueue(fake)[0]).toBe(fake[fake.length - 1]);
  });
});
