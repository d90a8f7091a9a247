/**
 * The control characters that structure GS1, ISO/IEC 15434 and MH10.8.2 data, and what keyboard-wedge
 * scanners and printed examples turn them into. Pure: no DOM.
 */

/** Group separator (ASCII 29): ends a variable-length GS1 field and separates 15434 data fields. */
export const GS = '\u001d';
/** Record separator (ASCII 30): ends a 15434 header and each format envelope. */
export const RS = '\u001e';
/** End of transmission (ASCII 4): ends a 15434 message. */
export const EOT = '\u0004';

export interface ControlSubstitutes {
  /**
   * What the station's scanners send in place of GS, when they are set up to (e.g. `|` or `~`). Only
   * a configured substitute is replaced: `|` may be data elsewhere.
   */
  gsSubstitute?: string;
  /** Likewise for RS. */
  rsSubstitute?: string;
  /** Likewise for EOT. */
  eotSubstitute?: string;
}

/**
 * Tokens that always stand for a control character: what scanners with "control character
 * transmission" send, what standards' examples print, and the Unicode control pictures (␝ ␞ ␄).
 */
const TOKENS: ReadonlyArray<[RegExp, string]> = [
  [/<GS>|\{GS\}|\[GS\]|<FNC1>|\{FNC1\}|\u241D/giu, GS],
  [/<RS>|\{RS\}|\[RS\]|\u241E/giu, RS],
  [/<EOT>|\{EOT\}|\[EOT\]|\u2404/giu, EOT],
];

function replaceAll(text: string, from: string | undefined, to: string): string {
  return from === undefined || from === '' ? text : text.split(from).join(to);
}

/**
 * The scan with every stand-in for a control character replaced by the character itself, and the
 * line end or spaces a scanner adds around it removed (control characters are kept: an EOT at the
 * end is data).
 */
export function normalizeControls(raw: string, substitutes: ControlSubstitutes = {}): string {
  let text = raw;
  for (const [pattern, char] of TOKENS) text = text.replace(pattern, char);
  text = replaceAll(text, substitutes.gsSubstitute, GS);
  text = replaceAll(text, substitutes.rsSubstitute, RS);
  text = replaceAll(text, substitutes.eotSubstitute, EOT);
  return text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/gu, '');
}

/** The text with control characters shown as tokens, for messages and logs. */
export function showControls(text: string): string {
  return text.replaceAll(GS, '<GS>').replaceAll(RS, '<RS>').replaceAll(EOT, '<EOT>');
}

/** ASCII control characters (0–31): GS, RS, EOT, CR, LF… */
export function isControlCharacter(char: string): boolean {
  return char.length > 0 && char.charCodeAt(0) < 32;
}

/** The text without its control characters, as a scanner's keystrokes leave it in a text field. */
export function withoutControls(text: string): string {
  return [...text].filter((c) => !isControlCharacter(c)).join('');
}
