/**
 * GS1 element strings: AIs and their values, FNC1 transmitted as GS, each value checked against the
 * AI table, then the pairing rules (General Specifications 4.14) as warnings. Pure.
 */
import type { AiSpec } from './gs1-ai.ts';
import { AI_TABLE, CHARSET_NAMES, aiAt, badCharacter, gs1CheckDigit, gs1Date } from './gs1-ai.ts';
import { GS, showControls } from './control.ts';

export interface Gs1Element {
  ai: string;
  value: string;
}

export type Gs1Parse = { ok: true; elements: Gs1Element[]; warnings: string[] } | { ok: false; error: string };

export interface Gs1Options {
  /** For the century of YYMMDD dates (General Specifications 7.12); without it, 20YY. */
  referenceYear?: number;
  /** Where `data` starts in the whole scan, so that errors point into what was scanned. */
  offset?: number;
}

/** Checks one value against its AI's components; null when it is valid. */
export function checkAiValue(spec: AiSpec, value: string, referenceYear?: number): string | null {
  let at = 0;
  const { components } = spec;
  for (let i = 0; i < components.length; i++) {
    const component = components[i];
    if (component === undefined) continue;
    const isLast = i === components.length - 1;
    const length = component.min === component.max || !isLast ? component.max : Math.min(component.max, value.length - at);
    const part = isLast && component.min !== component.max ? value.slice(at) : value.slice(at, at + length);
    if (part.length < component.min || part.length > component.max) {
      const wanted = component.min === component.max ? `${component.max}` : `${component.min} to ${component.max}`;
      const total = spec.fixedLength !== null ? `${spec.fixedLength} characters` : `at most ${components.reduce((s, c) => s + c.max, 0)} characters`;
      return `(${spec.ai}) ${spec.title} needs ${total}${components.length > 1 ? ` (component ${i + 1}: ${wanted})` : ''}; found ${value.length}`;
    }
    const bad = badCharacter(component.charset, part);
    if (bad >= 0) {
      return `(${spec.ai}) ${spec.title}: character ${JSON.stringify(showControls(part[bad] ?? ''))} at offset ${at + bad} is not in ${CHARSET_NAMES[component.charset]}`;
    }
    if (component.checkDigit === true) {
      const expected = gs1CheckDigit(part.slice(0, -1));
      if (String(expected) !== part.slice(-1)) {
        return `(${spec.ai}) ${spec.title} ${part} has check digit ${part.slice(-1)}; expected ${expected}`;
      }
    }
    if (component.date !== undefined) {
      const date = gs1Date(part, component.date.dayMayBeZero, referenceYear);
      if (!date.ok) return `(${spec.ai}) ${spec.title}: ${date.error}`;
    }
    at += part.length;
  }
  if (at !== value.length) return `(${spec.ai}) ${spec.title} needs ${spec.fixedLength ?? at} characters; found ${value.length}`;
  return null;
}

/**
 * Parses a GS1 element string: AI, value, AI, value…, with GS after each variable-length value that
 * is not last. A GS at the start (FNC1 in first position) and GS after fixed-length values are
 * allowed.
 */
export function parseElementString(data: string, options: Gs1Options = {}): Gs1Parse {
  const offset = options.offset ?? 0;
  const elements: Gs1Element[] = [];
  const warnings: string[] = [];
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === GS) {
      pos++;
      continue;
    }
    const spec = aiAt(data, pos);
    if (spec === undefined) {
      const seen = showControls(data.slice(pos, pos + 4));
      return { ok: false, error: `No GS1 Application Identifier at position ${offset + pos} (${JSON.stringify(seen)})` };
    }
    const start = pos + spec.ai.length;
    let value: string;
    if (spec.fixedLength !== null) {
      value = data.slice(start, start + spec.fixedLength);
      const gsInside = value.indexOf(GS);
      if (gsInside >= 0) value = value.slice(0, gsInside);
      if (value.length < spec.fixedLength) {
        return { ok: false, error: `(${spec.ai}) ${spec.title} at position ${offset + pos} needs ${spec.fixedLength} characters; found ${value.length}` };
      }
      pos = start + spec.fixedLength;
      if (!spec.predefined && pos < data.length && data[pos] !== GS) {
        warnings.push(`(${spec.ai}) is not of predefined length and should be followed by GS`);
      }
    } else {
      const end = data.indexOf(GS, start);
      value = data.slice(start, end < 0 ? data.length : end);
      pos = end < 0 ? data.length : end;
      const max = spec.components.reduce((sum, c) => sum + c.max, 0);
      if (value.length > max) {
        return {
          ok: false,
          error: `(${spec.ai}) ${spec.title} at position ${offset + start} is ${value.length} characters, at most ${max}: a GS missing after it?`,
        };
      }
    }
    const problem = checkAiValue(spec, value, options.referenceYear);
    if (problem !== null) return { ok: false, error: `${problem} (at position ${offset + start})` };
    const previous = elements.find((e) => e.ai === spec.ai);
    if (previous !== undefined) {
      if (previous.value !== value) {
        return { ok: false, error: `(${spec.ai}) appears twice with different values: ${previous.value} and ${value}` };
      }
      warnings.push(`(${spec.ai}) appears twice`);
      continue;
    }
    elements.push({ ai: spec.ai, value });
  }
  if (elements.length === 0) return { ok: false, error: 'No GS1 element string: nothing after the symbology identifier' };
  warnings.push(...pairingWarnings(elements.map((e) => e.ai)));
  return { ok: true, elements, warnings };
}

const DATES = ['11', '12', '13', '15', '16', '17'];
const TRADE_ITEM = ['01', '02', '03', '8006', '8026'];

/** Mandatory associations (General Specifications 4.14.2), as: AI needs one of these. */
const REQUIRES: ReadonlyArray<readonly [(ai: string) => boolean, readonly string[]]> = [
  [(ai) => ai === '21', ['01', '03', '8006']],
  [(ai) => ai === '10', TRADE_ITEM],
  [(ai) => DATES.includes(ai), TRADE_ITEM],
  [(ai) => ai === '20' || ai === '22' || ai === '235', ['01', '03']],
  [(ai) => ai === '37', ['02', '8026']],
  [(ai) => ai === '02', ['37']],
  [(ai) => ai === '30', ['01', '02']],
  [(ai) => /^3[1-6]\d\d$/u.test(ai), ['01', '02', '03', '8006']],
  [(ai) => ai === '250', ['21']],
  [(ai) => ai === '251', ['01']],
  [(ai) => ai === '254', ['414']],
  [(ai) => ai === '8011', ['8010']],
  [(ai) => ai === '8019', ['8018']],
  [(ai) => ai === '8020', ['415']],
  [(ai) => ai === '8111', ['255']],
  [(ai) => ai === '7040', ['417']],
];

/** Invalid pairs (General Specifications 4.14.1). */
const EXCLUDES: ReadonlyArray<readonly [string, string]> = [
  ['01', '02'],
  ['01', '37'],
  ['01', '255'],
  ['21', '235'],
  ['8006', '01'],
];

function title(ai: string): string {
  return `(${ai}) ${AI_TABLE.get(ai)?.title ?? ''}`.trim();
}

/** What the pairing rules say about a set of AIs; warnings, since the values themselves are sound. */
export function pairingWarnings(ais: readonly string[]): string[] {
  const present = new Set(ais);
  const warnings: string[] = [];
  for (const ai of present) {
    for (const [applies, partners] of REQUIRES) {
      if (applies(ai) && !partners.some((p) => present.has(p))) {
        warnings.push(`${title(ai)} should come with ${partners.map((p) => `(${p})`).join(' or ')}`);
      }
    }
  }
  for (const [a, b] of EXCLUDES) {
    if (present.has(a) && present.has(b)) warnings.push(`${title(a)} and ${title(b)} should not be used together`);
  }
  return warnings;
}

/** The human-readable interpretation: `(01)09506000134352(10)ABC`. */
export function hriOf(elements: readonly Gs1Element[]): string {
  return elements.map((e) => `(${e.ai})${e.value}`).join('');
}

/**
 * Turns the bracketed form people type from a label's text, `(01)09506000134352(10)ABC`, into an
 * element string; null when `text` is not in that form.
 */
export function fromBracketed(text: string): string | null {
  if (!/^(\(\d{2,4}\)[^()]*)+$/u.test(text)) return null;
  const parts = [...text.matchAll(/\((\d{2,4})\)([^()]*)/gu)];
  return parts.map((m, i) => `${m[1] ?? ''}${m[2] ?? ''}${i < parts.length - 1 ? GS : ''}`).join('');
}
