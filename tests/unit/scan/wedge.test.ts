import { describe, expect, it } from 'vitest';
import type { KeyInput } from '../../../src/scan/wedge.ts';
import { GS, createWedgeDetector } from '../../../src/scan/wedge.ts';

function keys(text: string, start: number, gapMs: number): KeyInput[] {
  return [...text].map((key, i) => ({ key, ctrlKey: false, altKey: false, metaKey: false, timeStamp: start + i * gapMs }));
}

const enter = (at: number): KeyInput => ({ key: 'Enter', ctrlKey: false, altKey: false, metaKey: false, timeStamp: at });

describe('keyboard-wedge detector', () => {
  it('reads a fast burst ending in Enter as one scan', () => {
    const detector = createWedgeDetector();
    for (const key of keys('L-920-A', 1000, 5)) expect(detector.push(key).kind).toBe('pass');
    expect(detector.push(enter(1035))).toEqual({ kind: 'scan', text: 'L-920-A' });
  });

  it('leaves a person typing at human speed to the page', () => {
    const detector = createWedgeDetector();
    for (const key of keys('L-920-A', 1000, 120)) detector.push(key);
    expect(detector.push(enter(1000 + 7 * 120))).toEqual({ kind: 'pass' });
  });

  it('starts a new scan after a pause, so slow keys before a burst are not part of it', () => {
    const detector = createWedgeDetector();
    for (const key of keys('xy', 0, 200)) detector.push(key);
    for (const key of keys('SN-1001-01', 5000, 4)) detector.push(key);
    expect(detector.push(enter(5040))).toEqual({ kind: 'scan', text: 'SN-1001-01' });
  });

  it('ignores Shift and other named keys between characters', () => {
    const detector = createWedgeDetector();
    detector.push({ key: 'Shift', ctrlKey: false, altKey: false, metaKey: false, timeStamp: 0 });
    for (const key of keys('ABC', 2, 3)) detector.push(key);
    expect(detector.push(enter(12))).toEqual({ kind: 'scan', text: 'ABC' });
  });

  it('keeps GS typed as Ctrl+] inside the scan and away from the browser', () => {
    const detector = createWedgeDetector();
    for (const key of keys('10ABC', 0, 3)) detector.push(key);
    expect(detector.push({ key: ']', ctrlKey: true, altKey: false, metaKey: false, timeStamp: 16 })).toEqual({ kind: 'swallow' });
    for (const key of keys('21X', 18, 3)) detector.push(key);
    expect(detector.push(enter(28))).toEqual({ kind: 'scan', text: `10ABC${GS}21X` });
  });

  it('does not take a burst shorter than the minimum length', () => {
    const detector = createWedgeDetector({ minLength: 4 });
    for (const key of keys('ab', 0, 2)) detector.push(key);
    expect(detector.push(enter(5)).kind).toBe('pass');
  });
});
