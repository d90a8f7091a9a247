/**
 * GS1 element strings: AIs and their values, FNC1 transmitted as GS, each value checked against the
 * AI table, then the pairing rules (General Specifications 4.14), which the caller takes as warnings
 * (marked GS1) or as refusals (a bare string without a symbology identifier). Pure.
 */
import type { AiSpec } from './gs1-ai.ts';
import { AI_TABLE, CHARSET_NAMES, aiAt, aiMatches, badCharacter, contentProblem } from './gs1-ai.ts';
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

/** Checks one value against its AI's components, one after the other; null when it is valid. */
export function checkAiValue(spec: AiSpec, value: string, referenceYear?: number): string | null {
  const { components } = spec;
  const max = components.reduce((s, c) => s + c.max, 0);
  const wanted = spec.fixedLength !== null ? `${spec.fixedLength} characters` : `at most ${max} characters`;
  if (value === '') return `(${spec.ai}) ${spec.title} is empty`;
  let at = 0;
  for (let i = 0; i < components.length; i++) {
    const component = components[i];
    if (component === undefined) continue;
    const length = Math.min(component.max, value.length - at);
    if (component.optional && length === 0) continue;
    if (length < component.min) {
      const part = component.min === component.max ? `${component.max}` : `${component.min} to ${component.max}`;
      return `(${spec.ai}) ${spec.title} needs ${wanted}${components.length > 1 ? ` (component ${i + 1}: ${part})` : ''}; found ${value.length}`;
    }
    const part = value.slice(at, at + length);
    const bad = badCharacter(component.charset, part);
    if (bad >= 0) {
      return `(${spec.ai}) ${spec.title}: character ${JSON.stringify(showControls(part[bad] ?? ''))} at offset ${at + bad} is not in ${CHARSET_NAMES[component.charset]}`;
    }
    for (const check of component.checks) {
      const problem = contentProblem(check, part, referenceYear);
      if (problem !== null) return check === 'csum' || check === 'csumalpha' ? `(${spec.ai}) ${spec.title} ${problem}` : `(${spec.ai}) ${spec.title}: ${problem}`;
    }
    at += length;
  }
  if (at !== value.length) return `(${spec.ai}) ${spec.title} needs ${wanted}; found ${value.length}`;
  return null;
}

/**
 * Parses a GS1 element string: AI, value, AI, value…, with GS after each value whose AI is not of
 * predefined length (General Specifications 7.8.5), unless it is last. A GS at the start (FNC1 in
 * first position) and GS after predefined-length values are allowed.
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
      const after = elements.length === 0 ? '' : ` after (${elements.map((e) => e.ai).join(')(')}): ${data.length - pos} characters left over`;
      return { ok: false, error: `No GS1 Application Identifier at position ${offset + pos} (${JSON.stringify(seen)})${after}` };
    }
    const start = pos + spec.ai.length;
    let value: string;
    if (spec.predefined && spec.fixedLength !== null) {
      value = data.slice(start, start + spec.fixedLength);
      const gsInside = value.indexOf(GS);
      if (gsInside >= 0) value = value.slice(0, gsInside);
      if (value.length < spec.fixedLength) {
        return { ok: false, error: `(${spec.ai}) ${spec.title} at position ${offset + pos} needs ${spec.fixedLength} characters; found ${value.length}` };
      }
      pos = start + spec.fixedLength;
    } else {
      const end = data.indexOf(GS, start);
      value = data.slice(start, end < 0 ? data.length : end);
      pos = end < 0 ? data.length : end;
      const max = spec.components.reduce((sum, c) => sum + c.max, 0);
      if (value.length > max) {
        const limit = spec.fixedLength !== null ? `needs ${spec.fixedLength}` : `at most ${max}`;
        return {
          ok: false,
          error: `(${spec.ai}) ${spec.title} at position ${offset + start} is ${value.length} characters, ${limit}: a GS missing after it?`,
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

function title(ai: string): string {
  return `(${ai}) ${AI_TABLE.get(ai)?.title ?? ''}`.trim();
}

/**
 * What the pairing rules (General Specifications 4.14: mandatory associations and invalid pairs)
 * say about a set of AIs, in the order the AIs come; empty when they are kept.
 */
export function pairingWarnings(ais: readonly string[]): string[] {
  const present = [...new Set(ais)];
  const has = (pattern: string, self: string) => present.some((ai) => ai !== self && aiMatches(pattern, ai));
  const warnings: string[] = [];
  const reported = new Set<string>();
  for (const ai of present) {
    const spec = AI_TABLE.get(ai);
    if (spec === undefined) continue;
    for (const groups of spec.requires) {
      if (!groups.some((group) => group.every((p) => has(p, ai)))) {
        warnings.push(`${title(ai)} should come with ${groups.map((g) => g.map((p) => `(${p})`).join('+')).join(' or ')}`);
      }
    }
  }
  for (const [i, ai] of present.entries()) {
    for (const other of present.slice(i + 1)) {
      const a = AI_TABLE.get(ai);
      const b = AI_TABLE.get(other);
      if (a === undefined || b === undefined) continue;
      const excluded = a.excludes.some((p) => aiMatches(p, other)) || b.excludes.some((p) => aiMatches(p, ai));
      if (excluded && !reported.has(`${ai} ${other}`)) {
        reported.add(`${ai} ${other}`);
        warnings.push(`${title(ai)} and ${title(other)} should not be used together`);
      }
    }
  }
  return warnings;
}

/** The human-readable interpretation: `(01)09506000134352(10)ABC`. */
export function hriOf(elements: readonly Gs1Element[]): string {
  return elements.map((e) => `(${e.ai})${e.value}`).join('');
}

/**
 * Turns the bracketed form people type from a label's text, `(01)09506000134352(10)ABC`, into an
 * element string; a `(` inside a value is written `\(`. Null when `text` is not in that form.
 */
export function fromBracketed(text: string): string | null {
  const parts: string[] = [];
  let pos = 0;
  while (pos < text.length) {
    const ai = /^\((\d{2,4})\)/u.exec(text.slice(pos));
    if (ai === null) return null;
    pos += ai[0].length;
    let value = '';
    while (pos < text.length && text[pos] !== '(') {
      if (text[pos] === '\\' && text[pos + 1] === '(') {
        value += '(';
        pos += 2;
      } else {
        value += text[pos] ?? '';
        pos++;
      }
    }
    parts.push(`${ai[1] ?? ''}${value}`);
  }
  return parts.length === 0 ? null : parts.join(GS);
}
