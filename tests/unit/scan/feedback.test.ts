/** Accepted and refused scans must be told apart at two metres: by sound, vibration and colour. */
import { describe, expect, it } from 'vitest';
import { FEEDBACK } from '../../../src/scan/feedback.ts';

describe('scan feedback patterns', () => {
  it('plays two tones for each verdict', () => {
    expect(FEEDBACK.accepted.tones).toHaveLength(2);
    expect(FEEDBACK.refused.tones).toHaveLength(2);
  });
  it('rises for accepted and falls for refused', () => {
    const [a1, a2] = FEEDBACK.accepted.tones;
    const [r1, r2] = FEEDBACK.refused.tones;
    expect(a2!.hz).toBeGreaterThan(a1!.hz);
    expect(r2!.hz).toBeLessThan(r1!.hz);
  });
  it('keeps the refused tones an octave or more below the accepted ones, and longer', () => {
    expect(Math.max(...FEEDBACK.refused.tones.map((t) => t.hz)) * 2).toBeLessThanOrEqual(Math.min(...FEEDBACK.accepted.tones.map((t) => t.hz)));
    const total = (p: typeof FEEDBACK.accepted) => p.tones.reduce((s, t) => s + t.ms, 0);
    expect(total(FEEDBACK.refused)).toBeGreaterThan(total(FEEDBACK.accepted));
  });
  it('vibrates once for accepted and twice for refused', () => {
    expect(FEEDBACK.accepted.vibrate).toHaveLength(1);
    expect(FEEDBACK.refused.vibrate.filter((_, i) => i % 2 === 0)).toHaveLength(2);
  });
  it('flashes longer for a refusal', () => expect(FEEDBACK.refused.flashMs).toBeGreaterThan(FEEDBACK.accepted.flashMs));
});
