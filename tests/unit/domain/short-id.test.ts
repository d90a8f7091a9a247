import { describe, expect, it } from 'vitest';
import { shortCode, shortConflictId, shortEventId, shortHoldId, shortNcrId } from '../../../src/domain/short-id.ts';

const EVENT = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

describe('short ids', () => {
  it('derives six Crockford characters from the random tail of the UUID, the same everywhere', () => {
    const code = shortCode(EVENT);
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{6}$/);
    // 0x2e3f4a5b & 0x3fffffff = 0x2e3f4a5b → base32 (Crockford) of 775899739.
    expect(code).toBe('Q3YJJV');
    expect(shortCode(EVENT.toUpperCase())).toBe(code);
    expect(shortCode('not a uuid')).toBeNull();
  });

  it('gives holds, NCRs, events and conflicts their prefixes, and leaves ids without a UUID as they are', () => {
    expect(shortHoldId(`H-${EVENT}`)).toBe('H-Q3YJJV');
    expect(shortHoldId('H-SEED-1')).toBe('H-SEED-1');
    expect(shortNcrId(`NCR-${EVENT}`, '2026-12-03T07:00:00.000Z')).toBe('NCR-2026-Q3YJJV');
    expect(shortNcrId(`NCR-${EVENT}`)).toBe('NCR-Q3YJJV');
    expect(shortNcrId('NCR-SEED-1', '2026-12-03T07:00:00.000Z')).toBe('NCR-SEED-1');
    expect(shortEventId(EVENT)).toBe('E-Q3YJJV');
    expect(shortConflictId(`conflict-${EVENT}`)).toBe('C-Q3YJJV');
  });

  it('tells apart events whose UUIDs differ only in the random tail', () => {
    const other = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c';
    expect(shortEventId(other)).not.toBe(shortEventId(EVENT));
  });
});
