import { describe, expect, it } from 'vitest';
import { formatHlc, parseHlc, receiveHlc, tickHlc } from '../../../src/domain/hlc.ts';
import { LOCKOUT_MS, afterFailure, afterSuccess, freshLockout, lockedFor } from '../../../src/domain/lockout.ts';

describe('hybrid logical clock', () => {
  it('never goes backwards when the wall clock does', () => {
    const a = tickHlc(null, 10_000, 'ST-1');
    const b = tickHlc(a, 5_000, 'ST-1');
    expect(b).toEqual({ wall: 10_000, counter: 1, node: 'ST-1' });
    expect(formatHlc(a) < formatHlc(b)).toBe(true);
    expect(tickHlc(b, 20_000, 'ST-1')).toEqual({ wall: 20_000, counter: 0, node: 'ST-1' });
  });

  it('moves past a remote clock it has seen', () => {
    const local = tickHlc(null, 1_000, 'ST-1');
    const after = receiveHlc(local, { wall: 9_000, counter: 4, node: 'server' }, 2_000, 'ST-1');
    expect(after).toEqual({ wall: 9_000, counter: 5, node: 'ST-1' });
  });

  it('round-trips through its text form', () => {
    const clock = { wall: 1_763_712_000_000, counter: 7, node: 'ST-1' };
    expect(parseHlc(formatHlc(clock))).toEqual(clock);
    expect(parseHlc('garbage')).toBeNull();
  });
});

describe('PIN lockout', () => {
  it('locks a badge for five minutes at the fifth wrong PIN', () => {
    let record = freshLockout('B-1');
    for (let i = 0; i < 4; i++) record = afterFailure(record, 1_000);
    expect(lockedFor(record, 1_000)).toBe(0);
    record = afterFailure(record, 1_000);
    expect(lockedFor(record, 1_000)).toBe(LOCKOUT_MS);
    expect(lockedFor(record, 1_000 + LOCKOUT_MS)).toBe(0);
  });

  it('starts counting again once a lock has run out, and after a right PIN', () => {
    let record = freshLockout('B-1');
    for (let i = 0; i < 5; i++) record = afterFailure(record, 0);
    record = afterFailure(record, LOCKOUT_MS + 1);
    expect(record.failures).toBe(1);
    expect(afterSuccess(record)).toEqual(freshLockout('B-1'));
  });
});
