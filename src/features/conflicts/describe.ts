/**
 * A conflict's description as a supervisor reads it. The server words it once, for the record, with
 * identifiers and UTC times (`… completed by B-1001 at 2026-11-22T07:41:44.801Z`); the screen shows
 * the same text with each time in the station's local time and each badge and station id it knows
 * by name. Anything it does not know stays as written.
 */
import { formatDateTime } from '../../app/format.ts';

/** An ISO 8601 time with a zone, as the server and stations write them. */
const ISO_TIME = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})`;
/** A time, or a word that may be a badge or a station id (letters, digits, `-`, `_`). */
const TOKEN = new RegExp(`(${ISO_TIME})|([A-Za-z0-9][A-Za-z0-9_-]*)`, 'g');

/** `name(token)`: what to show for an identifier, or undefined to leave it as written. */
export function readableDescription(text: string, name: (token: string) => string | undefined): string {
  return text.replace(TOKEN, (match: string, time: string | undefined) => (time !== undefined ? formatDateTime(time) : (name(match) ?? match)));
}
