/**
 * GS1 Digital Link URIs (GS1 Digital Link Standard: URI Syntax, uncompressed form):
 * `https://id.example.com/any/prefix/01/09506000134352/10/ABC/21/XYZ?17=201225`. The path holds one
 * primary key and its key qualifiers in the order the standard gives for that key; the query holds
 * data attributes. Which AI is a primary key, its qualifiers and which AIs may be data attributes
 * come from the AI table (`dlpkey`, `?`). Pure.
 */
import type { Gs1Element } from './gs1.ts';
import { AI_TABLE } from './gs1-ai.ts';
import { checkAiValue, pairingWarnings } from './gs1.ts';

/**
 * Short names from Digital Link 1.0 ("convenience alphas"), deprecated by the standard: a path that
 * uses one is recognised, so that the refusal can say what the label should carry.
 */
const ALPHA: ReadonlyMap<string, string> = new Map([
  ['gtin', '01'], ['sscc', '00'], ['cpv', '22'], ['lot', '10'], ['ser', '21'], ['exp', '17'], ['bbd', '15'],
  ['gln', '414'], ['giai', '8004'], ['grai', '8003'], ['gsrn', '8018'], ['gsrnp', '8017'], ['gdti', '253'], ['gcn', '255'],
  ['ginc', '401'], ['gsin', '402'], ['itip', '8006'], ['cpid', '8010'], ['gmn', '8013'], ['glnx', '254'], ['srin', '8019'],
  ['tpx', '235'], ['party', '417'],
]);

/** Characters a URI may hold (RFC 3986 unreserved, reserved and %). */
const URI_CHARACTERS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/u;

export type DigitalLinkParse =
  /** Not a Digital Link at all: some other text or URI. */
  | { ok: 'no' }
  | { ok: true; elements: Gs1Element[]; warnings: string[] }
  | { ok: false; error: string };

const refuse = (error: string): DigitalLinkParse => ({ ok: false, error });

function decode(text: string, query: boolean): string | null {
  try {
    return decodeURIComponent(query ? text.replaceAll('+', ' ') : text);
  } catch {
    return null;
  }
}

/** The AI a path segment or query key names (numeric, or a Digital Link 1.0 short name). */
function aiOf(key: string): string | undefined {
  if (/^\d{2,4}$/u.test(key)) return AI_TABLE.has(key) ? key : undefined;
  return ALPHA.get(key);
}

function isPrimaryKey(ai: string | undefined): boolean {
  return ai !== undefined && AI_TABLE.get(ai)?.dlQualifiers != null;
}

/** Whether `qualifiers`, in this order, follow `primary` in one of its allowed sequences. */
function isValidPath(primary: string, qualifiers: readonly string[]): boolean {
  const sequences = AI_TABLE.get(primary)?.dlQualifiers;
  if (sequences == null) return false;
  return sequences.some((sequence) => {
    let at = 0;
    for (const ai of qualifiers) {
      const found = sequence.indexOf(ai, at);
      if (found < 0) return false;
      at = found + 1;
    }
    return true;
  });
}

function allowedQualifiers(primary: string): string {
  const sequences = AI_TABLE.get(primary)?.dlQualifiers ?? [];
  const text = sequences.filter((s) => s.length > 0).map((s) => s.map((q) => `(${q})`).join(', ')).join(' or ');
  return text === '' ? `; (${primary}) takes no key qualifiers` : `; allowed, in order: ${text}`;
}

/**
 * Reads a Digital Link. The scheme must be http or https in one case (a mixed-case scheme such as
 * `Https:` is not a Digital Link: it is left as text). A URI whose path names no primary key
 * followed by a value is not a Digital Link either; one that does is read by the standard's rules,
 * and refused with the reason when it breaks them.
 */
export function parseDigitalLink(uri: string, referenceYear?: number): DigitalLinkParse {
  const match = /^(https?|HTTPS?):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/u.exec(uri);
  if (match === null) return { ok: 'no' };
  const host = match[2] ?? '';
  const path = match[3] ?? '';
  const query = match[4];
  const segments = path.split('/').slice(1);

  // A Digital Link names a primary key followed by a value somewhere in its path.
  if (!segments.some((s, i) => i < segments.length - 1 && isPrimaryKey(aiOf(s)))) return { ok: 'no' };

  if (!URI_CHARACTERS.test(uri)) {
    const bad = [...uri].find((c) => !URI_CHARACTERS.test(c)) ?? '';
    return refuse(`Digital Link: ${JSON.stringify(bad)} is not a character a URI may hold`);
  }
  if (host === '') return refuse('Digital Link: no domain name before the path');
  const badInHost = [...host].find((c) => "_~?#@!$&'()*+,;=%".includes(c));
  if (badInHost !== undefined) return refuse(`Digital Link: ${JSON.stringify(badInHost)} is not a character a domain name may hold`);
  if (path.endsWith('/')) return refuse('Digital Link path: ends in "/"; the last AI has no value');

  // The primary key is the rightmost key from which the rest of the path reads as AI/value pairs.
  let keyAt = -1;
  for (let i = segments.length - 2; i >= 0; i -= 2) {
    const ai = aiOf(segments[i] ?? '');
    if (ai === undefined) {
      return refuse(`Digital Link path: ${JSON.stringify(segments[i] ?? '')} is not a GS1 Application Identifier, but follows the primary key`);
    }
    if (isPrimaryKey(ai)) {
      keyAt = i;
      break;
    }
  }
  if (keyAt < 0) return refuse('Digital Link path: no primary key from which the path reads as AI/value pairs');

  const elements: Gs1Element[] = [];
  const warnings: string[] = [];
  const add = (ai: string, key: string, raw: string, where: 'path' | 'query'): string | null => {
    if (raw === '') return `Digital Link ${where}: (${ai}) has no value`;
    if (key !== ai) return `Digital Link ${where}: "${key}" is a Digital Link 1.0 short name, no longer in the standard; the label should carry /${ai}/`;
    const value = decode(raw, where === 'query');
    if (value === null) return `Digital Link ${where}: ${raw} is not valid percent-encoding`;
    const spec = AI_TABLE.get(ai);
    if (spec === undefined) return `Digital Link ${where}: ${ai} is not a GS1 Application Identifier`;
    // The standard writes a GTIN in 14 digits: a GTIN-8, -12 or -13 padded with zeros.
    if (ai === '01' && /^\d{8}$|^\d{12,13}$/u.test(value)) {
      return `Digital Link ${where}: (01) GTIN needs 14 digits; GTIN-${value.length} ${value} is written ${value.padStart(14, '0')}`;
    }
    const problem = checkAiValue(spec, value, referenceYear);
    if (problem !== null) return `Digital Link ${where}: ${problem}`;
    if (elements.some((e) => e.ai === ai)) return `Digital Link: (${ai}) appears twice`;
    elements.push({ ai, value });
    return null;
  };

  // The path: primary key, then key qualifiers in the order of one of the key's sequences.
  const primaryKey = segments[keyAt] ?? '';
  const primary = aiOf(primaryKey) ?? '';
  const firstError = add(primary, primaryKey, segments[keyAt + 1] ?? '', 'path');
  if (firstError !== null) return refuse(firstError);
  const qualifiers: string[] = [];
  for (let i = keyAt + 2; i < segments.length; i += 2) {
    const key = segments[i] ?? '';
    const ai = aiOf(key) ?? key;
    if (qualifiers.includes(ai)) return refuse(`Digital Link: (${ai}) appears twice`);
    if (!isValidPath(primary, [...qualifiers, ai])) {
      const ofThisKey = (AI_TABLE.get(primary)?.dlQualifiers ?? []).some((s) => s.includes(ai));
      const why = ofThisKey ? 'out of order' : `not a qualifier of this key`;
      return refuse(`Digital Link path: (${ai}) after (${primary}) is ${why}${allowedQualifiers(primary)}`);
    }
    qualifiers.push(ai);
    const error = add(ai, key, segments[i + 1] ?? '', 'path');
    if (error !== null) return refuse(error);
  }

  // The query: data attributes. Non-numeric keys (linkType, context…) are not AIs and are skipped.
  for (const pair of (query ?? '').split('&')) {
    const eq = pair.indexOf('=');
    if (pair === '' || eq < 0) continue;
    const key = pair.slice(0, eq);
    const ai = aiOf(key);
    if (ai === undefined) {
      if (/^\d+$/u.test(key)) return refuse(`Digital Link query: ${key} is not a GS1 Application Identifier`);
      continue;
    }
    const spec = AI_TABLE.get(ai);
    if (elements.some((e) => e.ai === ai)) return refuse(`Digital Link: (${ai}) appears twice`);
    // A key qualifier of this primary key belongs in the path, in its place.
    for (let at = 0; at <= qualifiers.length; at++) {
      if (isValidPath(primary, [...qualifiers.slice(0, at), ai, ...qualifiers.slice(at)])) {
        return refuse(`Digital Link query: (${ai}) is a key qualifier of (${primary}) and belongs in the path${allowedQualifiers(primary)}`);
      }
    }
    if (spec?.dlAttribute !== true) {
      return refuse(`Digital Link query: (${ai}) ${spec?.title ?? ''} is not a Digital Link data attribute`);
    }
    const error = add(ai, key, pair.slice(eq + 1), 'query');
    if (error !== null) return refuse(error);
  }
  warnings.push(...pairingWarnings(elements.map((e) => e.ai)));
  return { ok: true, elements, warnings };
}
