/**
 * The verifier decides whether a stored entry is in its RFC 8785 form with a quick native test
 * (JSON.stringify gives the text back and every object's names are in order) and the reference
 * encoding only where that cannot decide (sync-server/audit/entry-check.ts, canonicalForm). Its
 * answer, and the event text it hands on for the chain hash, must be exactly the reference's on
 * any text: canonical or not, names JavaScript orders as array indexes, escapes, lone surrogates,
 * numbers written another way, whitespace, repeated names.
 */
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalText } from '../../../src/audit/canonical.ts';
import { canonicalForm } from '../../../sync-server/audit/entry-check.ts';

/** The reference: the text is RFC 8785 exactly when canonicalize gives it back; the event's text is canonicalize's of the event. */
function reference(text: string): { canonical: boolean; eventText: string | null } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { canonical: false, eventText: null };
  }
  let canonical: string | null;
  try {
    canonical = canonicalText(value);
  } catch {
    canonical = null;
  }
  const event = (value as { event?: unknown } | null)?.event;
  const isObject = typeof event === 'object' && event !== null && !Array.isArray(event);
  return { canonical: canonical === text, eventText: canonical === text && isObject ? canonicalText(event) : null };
}

function quick(text: string): { canonical: boolean; eventText: string | null } {
  const form = canonicalForm(JSON.parse(text), text);
  return { canonical: form !== null, eventText: form === null ? null : form.eventText() };
}

/** Any JSON value as JSON.parse produces it (arbitrary strings, including lone surrogates, escaped). */
const parsedJson = fc.jsonValue().map((value) => JSON.parse(JSON.stringify(value)) as unknown);

describe('the RFC 8785 form of an entry, decided quickly', () => {
  it('agrees with the reference on the canonical text of any entry', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), parsedJson), parsedJson, (members, event) => {
        let text: string;
        try {
          text = canonicalText({ ...members, event });
        } catch {
          return;
        }
        expect(quick(text)).toEqual(reference(text));
        expect(quick(text).canonical).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with the reference on texts that are not canonical', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), parsedJson), parsedJson, (members, event) => {
        // JSON.stringify keeps insertion order and writes what canonicalize would refuse.
        const text = JSON.stringify({ ...members, event });
        expect(quick(text)).toEqual(reference(text));
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with the reference on canonical texts with one character changed', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), parsedJson), fc.dictionary(fc.string(), parsedJson), fc.nat(), fc.constantFrom(' ', '0', '"', '}', 'a', '\\'), (members, event, at, character) => {
        let canonical: string;
        try {
          canonical = canonicalText({ ...members, event });
        } catch {
          return;
        }
        const place = at % canonical.length;
        const text = canonical.slice(0, place) + character + canonical.slice(place + 1);
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          return;
        }
        expect(canonicalForm(parsed, text) !== null).toBe(reference(text).canonical);
        expect(quick(text)).toEqual(reference(text));
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['names JavaScript orders as array indexes', '{"10":1,"9":2,"event":{"2":0,"10":1}}'],
    ['the same, out of order', '{"9":2,"10":1}'],
    ['an escaped lone surrogate', '{"event":{"note":"\\ud800"},"kind":"receipt"}'],
    ['an escaped surrogate pair', '{"event":{"note":"\\ud83d\\ude00"}}'],
    ['a surrogate pair as itself', '{"event":{"note":"😀"}}'],
    ['an escaped backslash before u d8', '{"event":{"note":"\\\\ud800"}}'],
    ['whitespace', '{"event": {"a":1}}'],
    ['a number written another way', '{"event":{"a":1.0}}'],
    ['a number in exponent form', '{"event":{"a":1e21}}'],
    ['an escape canonicalize does not write', '{"event":{"a":"\\u0041"}}'],
    ['a control character escaped', '{"event":{"a":"\\u001f\\n"}}'],
    ['a repeated name', '{"a":1,"a":2}'],
    ['names out of order', '{"b":1,"a":2}'],
    ['nested names out of order', '{"event":{"payload":{"b":1,"a":2}}}'],
    ['names that differ in case', '{"B":1,"a":2}'],
    ['an event that is an array', '{"event":[1,2]}'],
    ['no event', '{"index":3,"kind":"log.created"}'],
    ['a name above the basic plane', '{"\uffff":1,"😀":2}'],
  ])('agrees with the reference on %s', (_name, text) => {
    expect(quick(text)).toEqual(reference(text));
  });
});

/** canonicalize as canonicalText documents it: a value JSON cannot hold (undefined, a function) throws. */
function reference8785(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('not JSON');
  return text;
}

/** An encoder's answer: its text, or that it threw. */
function attempt(encode: (value: unknown) => string, value: unknown): string {
  try {
    return encode(value);
  } catch {
    return '(throws)';
  }
}

describe('canonicalText, JSON.stringify where that is RFC 8785', () => {
  it('is canonicalize on any JSON value, in any member order', () => {
    fc.assert(
      fc.property(fc.anything({ withDate: true, withNullPrototype: true, withSparseArray: true, withObjectString: true, withBoxedValues: true, withMap: true, withSet: true }), (value) => {
        expect(attempt(canonicalText, value)).toBe(attempt(reference8785, value));
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(parsedJson, (value) => {
        expect(attempt(canonicalText, value)).toBe(attempt(reference8785, value));
        const sorted = JSON.parse(attempt(reference8785, value)) as unknown;
        expect(attempt(canonicalText, sorted)).toBe(attempt(reference8785, sorted));
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['a lone surrogate', { a: '\ud800' }],
    ['NaN', { a: Number.NaN }],
    ['Infinity', [Number.POSITIVE_INFINITY]],
    ['an undefined member', { a: undefined, b: 1 }],
    ['undefined in an array', [undefined, 1]],
    ['a date', { at: new Date(0) }],
    ['names out of order', { b: 1, a: 2 }],
    ['array-index names', { 10: 1, 9: 2 }],
    ['minus zero', { a: -0 }],
    ['a __proto__ member, as JSON.parse makes it', JSON.parse('{"b":1,"__proto__":{"x":1},"a":[{"__proto__":2}]}') as unknown],
    ['a name that starts with a digit', { a: 1, '1b': 2, '01': 3 }],
  ])('is canonicalize on %s', (_name, value) => {
    expect(attempt(canonicalText, value)).toBe(attempt(reference8785, value));
  });
});
