/**
 * GS1 Digital Link URIs (GS1 Digital Link Standard: URI Syntax 1.x, uncompressed form):
 * `https://id.example.com/any/prefix/01/09506000134352/10/ABC/21/XYZ?17=201225`. Pure.
 */
import type { Gs1Element } from './gs1.ts';
import { AI_TABLE } from './gs1-ai.ts';
import { checkAiValue, pairingWarnings } from './gs1.ts';

/** Primary keys and the key qualifiers allowed after each, in the order they must appear. */
const PRIMARY_KEYS: ReadonlyMap<string, readonly (readonly string[])[]> = new Map([
  ['01', [['22'], ['10'], ['21', '235']]],
  ['00', []],
  ['253', []],
  ['255', []],
  ['401', []],
  ['402', []],
  ['414', [['254', '7040']]],
  ['415', [['8020']]],
  ['417', [['7040']]],
  ['8003', []],
  ['8004', []],
  ['8006', [['22'], ['10'], ['21']]],
  ['8010', [['8011']]],
  ['8013', []],
  ['8017', [['8019']]],
  ['8018', [['8019']]],
]);

/** Short names from Digital Link 1.0, still met on older labels. */
const ALPHA: ReadonlyMap<string, string> = new Map([
  ['gtin', '01'], ['sscc', '00'], ['cpv', '22'], ['lot', '10'], ['ser', '21'], ['exp', '17'], ['bbd', '15'],
  ['gln', '414'], ['giai', '8004'], ['grai', '8003'], ['gsrn', '8018'], ['gdti', '253'], ['gcn', '255'],
]);

export type DigitalLinkParse =
  /** Not a Digital Link at all: some other text or URI. */
  | { ok: 'no' }
  | { ok: true; elements: Gs1Element[]; warnings: string[] }
  | { ok: false; error: string };

function decode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

function aiOf(key: string): string {
  return ALPHA.get(key) ?? key;
}

/**
 * Reads a Digital Link. The scheme must be http or https in one case (a mixed-case scheme such as
 * `Https:` is not a Digital Link: it is left as text), and the path must hold a primary key whose
 * qualifiers follow in order.
 */
export function parseDigitalLink(uri: string, referenceYear?: number): DigitalLinkParse {
  const match = /^(https?|HTTPS?):\/\/([^/?#]+)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/u.exec(uri);
  if (match === null) return { ok: 'no' };
  const path = match[3] ?? '';
  const query = match[4];
  const segments = path.split('/').filter((s) => s !== '');

  // The primary key is the first key segment from which the rest of the path reads as key/value pairs.
  let keyAt = -1;
  for (let i = 0; i < segments.length - 1; i++) {
    const ai = aiOf(segments[i] ?? '');
    if (PRIMARY_KEYS.has(ai) && (segments.length - i) % 2 === 0) {
      keyAt = i;
      break;
    }
  }
  if (keyAt < 0) return { ok: 'no' };

  const elements: Gs1Element[] = [];
  const warnings: string[] = [];
  const add = (ai: string, raw: string, where: string): string | null => {
    const value = decode(raw);
    if (value === null) return `Digital Link ${where}: ${raw} is not valid percent-encoding`;
    const spec = AI_TABLE.get(ai);
    if (spec === undefined) return `Digital Link ${where}: ${ai} is not a GS1 Application Identifier`;
    // Digital Link allows GTIN-8, -12 and -13 in the path; the element string always has 14 digits.
    const normalized = ai === '01' && /^\d{8}$|^\d{12,13}$/u.test(value) ? value.padStart(14, '0') : value;
    const problem = checkAiValue(spec, normalized, referenceYear);
    if (problem !== null) return `Digital Link ${where}: ${problem}`;
    if (elements.some((e) => e.ai === ai)) return `Digital Link: (${ai}) appears twice`;
    elements.push({ ai, value: normalized });
    return null;
  };

  const primary = aiOf(segments[keyAt] ?? '');
  const qualifiers = PRIMARY_KEYS.get(primary) ?? [];
  const firstError = add(primary, segments[keyAt + 1] ?? '', 'path');
  if (firstError !== null) return { ok: false, error: firstError };
  let next = 0;
  for (let i = keyAt + 2; i < segments.length; i += 2) {
    const ai = aiOf(segments[i] ?? '');
    let found = -1;
    for (let q = next; q < qualifiers.length; q++) {
      if (qualifiers[q]?.includes(ai)) {
        found = q;
        break;
      }
    }
    if (found < 0) {
      const allowed = qualifiers.flat().map((q) => `(${q})`).join(', ');
      const why = qualifiers.flat().includes(ai) ? 'out of order' : 'not a qualifier of this key';
      return { ok: false, error: `Digital Link path: (${ai}) after (${primary}) is ${why}${allowed === '' ? '' : `; allowed, in order: ${allowed}`}` };
    }
    next = found + 1;
    const error = add(ai, segments[i + 1] ?? '', 'path');
    if (error !== null) return { ok: false, error };
  }

  for (const pair of (query ?? '').split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    const value = eq < 0 ? '' : pair.slice(eq + 1);
    const ai = aiOf(key);
    if (!/^\d{2,4}$/u.test(ai)) continue; // linkType, context and other non-AI attributes
    if (!AI_TABLE.has(ai)) {
      warnings.push(`Digital Link query: ${key} is not a known Application Identifier; ignored`);
      continue;
    }
    const error = add(ai, value, 'query');
    if (error !== null) return { ok: false, error };
  }
  warnings.push(...pairingWarnings(elements.map((e) => e.ai)));
  return { ok: true, elements, warnings };
}
