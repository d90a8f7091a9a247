/**
 * The plant's large maps share entries between states instead of copying them (src/domain/plant.ts,
 * LayeredMap): whatever the sharing, every state must read and iterate exactly as a native map built
 * by the same writes, and the states it was made from must not change.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PlantState, StepRecord } from '../../../src/domain/plant.ts';
import { changePlant, emptyPlant, reduceEvents } from '../../../src/domain/plant.ts';
import { fixturePlant, started } from './fixture.ts';

/** Large enough that writes go to an overlay rather than a copy. */
const BASE_SIZE = 3000;

function record(n: number): StepRecord {
  return { started: { eventId: `e-${n}`, actor: 'B-1', at: '2026-11-21T06:00:00.000Z' } };
}

function largePlant(): { plant: PlantState; reference: Map<string, StepRecord> } {
  const reference = new Map<string, StepRecord>();
  for (let i = 0; i < BASE_SIZE; i++) reference.set(`step-${i}`, record(i));
  const { state } = changePlant(emptyPlant(), (draft) => {
    for (const [key, value] of reference) draft.steps.set(key, value);
  });
  return { plant: state, reference };
}

describe('the plant maps shared between states', () => {
  it('read and iterate as a native map through many one-write states, and leave earlier states as they were', () => {
    fc.assert(
      fc.property(
        // Keys both already there (updates keep their place) and new (appended), one to three per state.
        fc.array(fc.array(fc.integer({ min: 0, max: BASE_SIZE + 400 }), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 300 }),
        (batches) => {
          let { plant, reference } = largePlant();
          const history: Array<{ plant: PlantState; entries: Array<[string, StepRecord]> }> = [];
          let n = BASE_SIZE;
          for (const batch of batches) {
            const next = new Map(reference);
            const { state, changed } = changePlant(plant, (draft) => {
              for (const k of batch) {
                const value = record(n++);
                draft.steps.set(`step-${k}`, value);
                next.set(`step-${k}`, value);
                // The draft reads its own writes.
                expect(draft.steps.get(`step-${k}`)).toBe(value);
              }
              expect(draft.steps.size).toBe(next.size);
            });
            expect(changed.map((ref) => ref.key).sort()).toEqual([...new Set(batch.map((k) => `step-${k}`))].sort());
            history.push({ plant, entries: [...reference] });
            plant = state;
            reference = next;
            expect(plant.steps.size).toBe(reference.size);
            for (const k of batch) expect(plant.steps.get(`step-${k}`)).toBe(reference.get(`step-${k}`));
            expect(plant.steps.has(`step-${BASE_SIZE + 401}`)).toBe(false);
          }
          expect([...plant.steps]).toEqual([...reference]);
          expect([...plant.steps.keys()]).toEqual([...reference.keys()]);
          for (const earlier of history.slice(-5)) expect([...earlier.plant.steps]).toEqual(earlier.entries);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('lets a draft iterate after writing, and keep writing', () => {
    const { plant, reference } = largePlant();
    const once = changePlant(plant, (draft) => draft.steps.set('step-1', record(-1))).state;
    const { state } = changePlant(once, (draft) => {
      draft.steps.set('step-new', record(-2));
      expect([...draft.steps.keys()].at(-1)).toBe('step-new');
      draft.steps.set('step-2', record(-3));
    });
    const expected = new Map(reference).set('step-1', record(-1)).set('step-new', record(-2)).set('step-2', record(-3));
    expect([...state.steps]).toEqual([...expected]);
  });

  it('gives the same plant one event at a time as in one batch, past the point where maps are shared', () => {
    const events = Array.from({ length: 2500 }, (_, i) => started('OP10', { kind: 'serial', serial: `SN-${i}` } as unknown as Parameters<typeof started>[1]));
    const oneByOne = events.reduce((plant, event) => reduceEvents(plant, [event]), fixturePlant());
    expect([...oneByOne.steps]).toEqual([...reduceEvents(fixturePlant(), events).steps]);
  });
});
