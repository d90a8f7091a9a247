/**
 * ISO/IEC 15434 messages: `[)>` RS, then one or more format envelopes (format indicator, GS, data,
 * RS), then EOT. Travelog reads formats 05 (GS1 AIs), 06 (MH10.8.2 data identifiers), 12 and DD
 * (text element identifiers, DD being the DoD/ATA collaborative format of MIL-STD-130). Pure.
 */
import { EOT, GS, RS, showControls } from './control.ts';

export const MESSAGE_HEADER = `[)>${RS}`;

export type EnvelopeFormat = '05' | '06' | '12' | 'DD';

export interface Envelope {
  format: EnvelopeFormat;
  /** The envelope's data, between the GS after the format indicator and the RS that closes it. */
  data: string;
  /** Where `data` starts in the message. */
  offset: number;
}

export type EnvelopeParse = { ok: true; envelopes: Envelope[]; warnings: string[] } | { ok: false; error: string };

const READ: ReadonlySet<string> = new Set(['05', '06', '12', 'DD']);

const NOT_READ: ReadonlyMap<string, string> = new Map([
  ['01', 'transportation'],
  ['02', 'complete EDI message'],
  ['03', 'ASC X12 segments'],
  ['04', 'UN/EDIFACT segments'],
  ['07', 'free-form text'],
  ['08', 'ANSI X12 + UN/EDIFACT'],
  ['09', 'binary data'],
]);

/** Whether the scan is an ISO/IEC 15434 message (or a broken one: the header alone decides). */
export function isIso15434(text: string): boolean {
  return text.startsWith('[)>');
}

/** Splits a message into its envelopes; a message cut short anywhere is an error saying where. */
export function splitEnvelopes(text: string, offset = 0): EnvelopeParse {
  if (text[3] !== RS) {
    return { ok: false, error: `ISO/IEC 15434: [)> must be followed by RS at position ${offset + 3}${text.length <= 3 ? ' (the message is truncated)' : ''}` };
  }
  const envelopes: Envelope[] = [];
  const warnings: string[] = [];
  let pos = 4;
  for (;;) {
    if (pos >= text.length) {
      return {
        ok: false,
        error: `ISO/IEC 15434: the message ends at position ${offset + pos} without EOT: truncated${envelopes.length === 0 ? ', no format envelope' : ''}`,
      };
    }
    if (text[pos] === EOT) {
      if (envelopes.length === 0) return { ok: false, error: `ISO/IEC 15434: EOT at position ${offset + pos} before any format envelope` };
      const rest = text.slice(pos + 1);
      if (rest !== '') warnings.push(`ISO/IEC 15434: ${JSON.stringify(showControls(rest))} after EOT ignored`);
      return { ok: true, envelopes, warnings };
    }
    const format = text.slice(pos, pos + 2);
    if (format.length < 2) return { ok: false, error: `ISO/IEC 15434: the message ends at position ${offset + text.length} inside a format indicator: truncated` };
    if (!READ.has(format)) {
      const name = NOT_READ.get(format);
      return {
        ok: false,
        error:
          name !== undefined
            ? `ISO/IEC 15434: format ${format} (${name}) at position ${offset + pos} is not one Travelog reads (05, 06, 12, DD)`
            : `ISO/IEC 15434: ${JSON.stringify(showControls(format))} at position ${offset + pos} is not a format indicator`,
      };
    }
    if (text[pos + 2] !== GS) {
      return { ok: false, error: `ISO/IEC 15434: format ${format} at position ${offset + pos} must be followed by GS${pos + 2 >= text.length ? ' (the message is truncated)' : ''}` };
    }
    const start = pos + 3;
    const end = text.indexOf(RS, start);
    const eot = text.indexOf(EOT, start);
    if (end < 0 || (eot >= 0 && eot < end)) {
      return { ok: false, error: `ISO/IEC 15434: the format ${format} envelope at position ${offset + pos} has no closing RS: truncated` };
    }
    const data = text.slice(start, end);
    if (data === '') return { ok: false, error: `ISO/IEC 15434: the format ${format} envelope at position ${offset + pos} is empty` };
    envelopes.push({ format: format as EnvelopeFormat, data, offset: offset + start });
    pos = end + 1;
  }
}

/** The data fields of an envelope (formats 06, 12 and DD separate them with GS). */
export function fieldsOf(envelope: Envelope): Array<{ text: string; offset: number }> {
  const fields: Array<{ text: string; offset: number }> = [];
  let at = 0;
  for (const text of envelope.data.split(GS)) {
    fields.push({ text, offset: envelope.offset + at });
    at += text.length + 1;
  }
  return fields;
}
