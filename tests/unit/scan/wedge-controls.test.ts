/** Control characters from a wedge: Ctrl chords by key or physical key, Alt+0029 codes, substitutes. */
import { describe, expect, it } from 'vitest';
import type { KeyInput } from '../../../src/scan/wedge.ts';
import { createWedgeDetector } from '../../../src/scan/wedge.ts';
import { parseScan } from '../../../src/scan/parse.ts';

const GS = '\u001d';
const RS = '\u001e';
const EOT = '\u0004';
const key = (k: string, at: number, extra: Partial<KeyInput> = {}): KeyInput => ({ key: k, ctrlKey: false, altKey: false, metaKey: false, timeStamp: at, ...extra });

/** Feeds keys 3 ms apart and returns every outcome, the last one being Enter's. */
function feed(keys: Array<string | Partial<KeyInput>>) {
  const detector = createWedgeDetector();
  let at = 1000;
  const outcomes = keys.map((k) => detector.push(typeof k === 'string' ? key(k, (at += 3)) : key(k.key ?? '', (at += 3), k)));
  return { outcomes, last: detector.push(key('Enter', (at += 3))) };
}

describe('wedge control characters', () => {
  it('reads RS typed as Ctrl+6 and EOT as Ctrl+D, and keeps both from the browser', () => {
    const { outcomes, last } = feed(['[', ')', '>', { key: '6', ctrlKey: true }, '0', '6', { key: ']', ctrlKey: true }, 'S', '1', { key: '6', ctrlKey: true }, { key: 'd', ctrlKey: true }]);
    expect(outcomes[3]).toEqual({ kind: 'swallow' });
    expect(outcomes[10]).toEqual({ kind: 'swallow' });
    expect(last).toEqual({ kind: 'scan', text: `[)>${RS}06${GS}S1${RS}${EOT}` });
  });
  it('reads control chords by physical key whatever the layout (code BracketRight, Digit6, KeyD)', () => {
    const { last } = feed(['A', { key: 'ü', code: 'BracketRight', ctrlKey: true }, 'B', { key: '&', code: 'Digit6', ctrlKey: true }, { key: 'x', code: 'KeyD', ctrlKey: true }]);
    expect(last).toEqual({ kind: 'scan', text: `A${GS}B${RS}${EOT}` });
  });
  it('leaves a person’s Ctrl+6 to the browser (switching tabs) outside a burst', () => {
    const detector = createWedgeDetector();
    expect(detector.push(key('6', 0, { ctrlKey: true }))).toEqual({ kind: 'pass' });
  });
  it('reads GS typed as Alt+0029 on the numeric keypad', () => {
    const alt = (d: string) => ({ key: d, code: `Numpad${d}`, altKey: true });
    const { outcomes, last } = feed(['1', '0', 'A', { key: 'Alt', altKey: true }, alt('0'), alt('0'), alt('2'), alt('9'), '2', '1', 'X']);
    expect(outcomes[4]).toEqual({ kind: 'swallow' });
    expect(last).toEqual({ kind: 'scan', text: `10A${GS}21X` });
  });
  it('reads two Alt codes in a row as two characters', () => {
    const alt = (d: string) => ({ key: d, code: `Numpad${d}`, altKey: true });
    const { last } = feed(['A', { key: 'Alt', altKey: true }, alt('3'), alt('0'), { key: 'Alt', altKey: true }, alt('2'), alt('9'), 'B']);
    expect(last).toEqual({ kind: 'scan', text: `A${RS}${GS}B` });
  });
  it('reads FNC1 sent as Alt+0029 at the very start of a GS1 scan', () => {
    const alt = (d: string) => ({ key: d, code: `Numpad${d}`, altKey: true });
    const { last } = feed([{ key: 'Alt', altKey: true }, alt('0'), alt('0'), alt('2'), alt('9'), ...'0109506000134352'.split('')]);
    expect(last.kind).toBe('scan');
    expect(last.kind === 'scan' && parseScan(last.text)).toMatchObject({ dataType: 'gs1', gtin: '09506000134352' });
  });
  it('does not take the character an Alt code composed twice', () => {
    const alt = (d: string) => ({ key: d, code: `Numpad${d}`, altKey: true });
    const { last } = feed(['A', { key: 'Alt', altKey: true }, alt('2'), alt('9'), GS, 'B']);
    expect(last).toEqual({ kind: 'scan', text: `A${GS}B` });
  });
  it('keeps AltGr characters (Ctrl+Alt on Windows) as data', () => {
    const { last } = feed(['A', { key: '@', ctrlKey: true, altKey: true }, 'B']);
    expect(last).toEqual({ kind: 'scan', text: 'A@B' });
  });
});
