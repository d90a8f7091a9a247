/**
 * Keyboard-wedge scanner capture. A wedge scanner "types" the barcode as a burst of keystrokes a few
 * milliseconds apart and ends it with Enter; a person types tens of milliseconds apart. The detector
 * tells them apart by timing alone, from `KeyboardEvent.key` (and `code` for control chords), so it
 * works on any keyboard layout and wherever the focus is.
 *
 * Control characters arrive as chords: GS as Ctrl+], RS as Ctrl+^ (Ctrl+6), EOT as Ctrl+D, or any of
 * them as Alt + a numpad code (Alt+0029). Inside a burst these chords are kept from the browser, so
 * Ctrl+6 does not switch tabs and Ctrl+D does not bookmark the page.
 */
import type { ControlSubstitutes } from './control.ts';
import { EOT, GS, RS, normalizeControls, withoutControls } from './control.ts';

export { GS };

export interface WedgeOptions {
  /** Longest gap between two keystrokes of one scan, in ms. Scanners send 1–15 ms; people rarely type under 40. */
  maxGapMs?: number;
  /** Shortest scan; shorter bursts ending in Enter are left to the page. */
  minLength?: number;
  /** What the station's scanners send instead of GS, RS or EOT (e.g. `|`); applied to each scan. */
  substitutes?: ControlSubstitutes;
}

export const DEFAULT_WEDGE_OPTIONS: Required<Omit<WedgeOptions, 'substitutes'>> = { maxGapMs: 30, minLength: 3 };

/** The parts of a KeyboardEvent the detector reads. */
export interface KeyInput {
  key: string;
  /** The physical key (`BracketRight`, `Digit6`, `Numpad0`…), when the event has it. */
  code?: string;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
  timeStamp: number;
}

export type WedgeOutcome =
  /** Not part of a scan as far as the detector can tell; let the page have it. */
  | { kind: 'pass' }
  /** A control chord that belongs to the scan (GS typed as Ctrl+]); keep it from the browser. */
  | { kind: 'swallow' }
  /** A scan ended: `text` is what was scanned. */
  | { kind: 'scan'; text: string };

export interface WedgeDetector {
  push(input: KeyInput): WedgeOutcome;
}

/** The control character a Ctrl chord stands for, by key or, whatever the layout, by physical key. */
function controlChord(input: KeyInput): string | null {
  if (!input.ctrlKey || input.altKey || input.metaKey) return null;
  const { key, code } = input;
  // Ctrl+5 is where some layouts put GS; Ctrl+] is the US one.
  if (key === ']' || key === '5' || code === 'BracketRight') return GS;
  if (key === '^' || key === '6' || code === 'Digit6') return RS;
  if (key === 'd' || key === 'D' || code === 'KeyD') return EOT;
  return null;
}

/** A digit typed with Alt held on the numeric keypad, part of an Alt+0029-style code. */
function altDigit(input: KeyInput): string | null {
  if (!input.altKey || input.ctrlKey || input.metaKey) return null;
  const fromCode = /^Numpad(\d)$/u.exec(input.code ?? '');
  if (fromCode !== null) return fromCode[1] ?? null;
  return /^\d$/u.test(input.key) ? input.key : null;
}

export function createWedgeDetector(options: WedgeOptions = {}): WedgeDetector {
  const { maxGapMs, minLength } = { ...DEFAULT_WEDGE_OPTIONS, ...options };
  let buffer = '';
  let lastAt = -Infinity;
  let altCode = '';
  let altAt = -Infinity;
  /** A character just composed from an Alt code, which the browser may deliver again as a key. */
  let composed: string | null = null;

  const append = (text: string, at: number) => {
    if (at - lastAt > maxGapMs) buffer = '';
    buffer += text;
    lastAt = at;
  };

  /** Ends a pending Alt code: its character joins the scan. */
  const flushAltCode = () => {
    if (altCode === '') return;
    const char = String.fromCharCode(Number(altCode) % 256);
    altCode = '';
    append(char, altAt);
    // Some systems deliver a composed control character once more as a key of its own.
    composed = char < ' ' ? char : null;
  };

  return {
    push(input) {
      const at = input.timeStamp;
      const digit = altDigit(input);
      if (digit !== null) {
        const inBurst = buffer !== '' && at - lastAt <= maxGapMs;
        altCode = at - altAt > maxGapMs ? digit : altCode + digit;
        altAt = at;
        return inBurst ? { kind: 'swallow' } : { kind: 'pass' };
      }
      // Alt pressed again starts the next code; the one before it is complete.
      flushAltCode();
      if (input.key === 'Alt') return { kind: 'pass' };
      if (composed !== null && input.key === composed) {
        composed = null;
        return { kind: 'swallow' };
      }
      composed = null;
      if (input.key === 'Enter') {
        const fast = at - lastAt <= maxGapMs;
        const text = buffer;
        buffer = '';
        lastAt = -Infinity;
        return fast && text.length >= minLength ? { kind: 'scan', text } : { kind: 'pass' };
      }
      const control = controlChord(input);
      if (control !== null) {
        // Only inside a burst: a person's Ctrl+6 or Ctrl+D still reaches the browser.
        if (buffer !== '' && at - lastAt <= maxGapMs) {
          append(control, at);
          return { kind: 'swallow' };
        }
        return { kind: 'pass' };
      }
      // Ctrl+Alt is AltGr on Windows: '@' on a German layout is data, not a chord.
      if (input.key.length !== 1 || input.metaKey || (input.ctrlKey && !input.altKey)) return { kind: 'pass' };
      append(input.key, at);
      return { kind: 'pass' };
    },
  };
}

function isTextField(element: Element | null): element is HTMLInputElement | HTMLTextAreaElement {
  return element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement;
}

/** Takes the burst a scanner typed back out of the field that had the focus, the way React sees a user edit. */
function removeTypedBurst(field: HTMLInputElement | HTMLTextAreaElement, text: string): void {
  // Control characters never reached the field: their chords were kept from it.
  const typed = withoutControls(text);
  if (!field.value.endsWith(typed) || typed === '') return;
  const prototype = field instanceof HTMLInputElement ? HTMLInputElement.prototype : HTMLTextAreaElement.prototype;
  // React tracks the value through the prototype's setter; assigning field.value would go unseen.
  const descriptor = Object.getOwnPropertyDescriptor(prototype, 'value');
  descriptor?.set?.call(field, field.value.slice(0, field.value.length - typed.length));
  field.dispatchEvent(new Event('input', { bubbles: true }));
}

/**
 * Listens for wedge scans on a window, before any element sees the keys. A scan's Enter is kept from
 * the page (no form submits twice) and its text is removed from the focused field.
 */
export function attachWedge(target: Window, onScan: (text: string) => void, options: WedgeOptions = {}): () => void {
  const detector = createWedgeDetector(options);
  const listener = (event: KeyboardEvent) => {
    const outcome = detector.push(event);
    if (outcome.kind === 'pass') return;
    event.preventDefault();
    event.stopPropagation();
    if (outcome.kind === 'scan') {
      const focused = target.document.activeElement;
      if (isTextField(focused)) removeTypedBurst(focused, outcome.text);
      onScan(options.substitutes === undefined ? outcome.text : normalizeControls(outcome.text, options.substitutes));
    }
  };
  target.addEventListener('keydown', listener, { capture: true });
  return () => target.removeEventListener('keydown', listener, { capture: true });
}
