import { describe, expect, it } from 'vitest';
import { hashPin, verifyPin } from '../../../src/auth/pin.ts';

describe('PIN hashes', () => {
  it('verifies the right PIN and refuses a wrong one', async () => {
    const stored = await hashPin('2468', 10_000);
    expect(stored).toMatchObject({ algorithm: 'PBKDF2-SHA256', iterations: 10_000 });
    expect(await verifyPin('2468', stored)).toBe(true);
    expect(await verifyPin('2469', stored)).toBe(false);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([hashPin('1111', 10_000), hashPin('1111', 10_000)]);
    expect(a.hash).not.toBe(b.hash);
  });
});
