import { describe, expect, it } from 'vitest';
import { applyEvent, reduceEvents } from '../../../src/domain/plant.ts';
import { SN1, completed, fixturePlant, started } from './fixture.ts';

describe('plant reducer', () => {
  it('leaves the state it was given unchanged and shares what the event did not touch', () => {
    const before = fixturePlant();
    const after = applyEvent(before, started('OP10'));
    expect(before.steps.size).toBe(0);
    expect(after.steps.size).toBe(1);
    expect(after.operators).toBe(before.operators);
    expect(after.steps).not.toBe(before.steps);
  });

  it('gives the same plant whether events come one by one or in a batch', () => {
    const events = [started('OP10'), completed('OP10'), started('OP10', { kind: 'serial', serial: 'SN-2' })];
    const oneByOne = events.reduce(applyEvent, fixturePlant());
    const batch = reduceEvents(fixturePlant(), events);
    expect([...oneByOne.steps]).toEqual([...batch.steps]);
  });

  it('keeps the first start and the first completion of a step', () => {
    const first = started('OP10');
    const plant = reduceEvents(fixturePlant(), [first, started('OP10', SN1, 'B-SUP')]);
    expect(plant.steps.get('WO-1|serial:SN-1|OP10')?.started?.eventId).toBe(first.id);
  });
});
