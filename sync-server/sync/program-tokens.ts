/**
 * The plant's identifiers as they appear in text, and which program each belongs to: how the server
 * finds out what a piece of data (a refused push, a reason, a view, an audit entry) says about a
 * program, and how it blanks what a station is not cleared for (docs/sync-spec.md S10, S20).
 *
 * Text is cut into tokens where identifiers meet other text (`serial:SN-1`, `WO-1|serial:SN-1|OP10`,
 * sentences, lists); each token is looked up among the identifiers that belong to a program (work
 * orders, their serials and lots, and the holds, NCRs and conflict items scoped to them) and the
 * program names themselves.
 */

/** The identifiers that belong to a program, and the programs of the plant. */
export interface ProgramIndex {
  /** Every program a work order of the plant names. */
  programs: ReadonlySet<string>;
  /** Work order, serial, lot, hold, NCR and conflict ids → the program they belong to. */
  owners: ReadonlyMap<string, string>;
}

/** What a station is shown instead of an identifier or name of a program it is not cleared for. */
export const WITHHELD = '(withheld)';

const SEPARATORS = /[\s|:,;()[\]{}"'`<>=]+/;
const SEPARATORS_KEPT = /([\s|:,;()[\]{}"'`<>=]+)/;
const EDGE_PUNCTUATION = /^[.,;:!?]+|[.,;:!?]+$/g;
const LEADING = /^[.,;:!?]+/;
const TRAILING = /[.,;:!?]+$/;

/** The tokens of a text: the whole, its words, and its parts between separators, each with and without edge punctuation. */
export function tokensOf(text: string): string[] {
  const tokens = [text];
  for (const word of text.split(/\s+/)) tokens.push(word, word.replace(EDGE_PUNCTUATION, ''));
  for (const part of text.split(SEPARATORS)) tokens.push(part, part.replace(EDGE_PUNCTUATION, ''));
  return tokens;
}

/** Every string in a value, object keys included. */
export function collectStrings(value: unknown, into: string[]): void {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const item of value) collectStrings(item, into);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      into.push(key);
      collectStrings(item, into);
    }
  }
}

/** The program a token names (a program's own name) or belongs to, if any. */
function programOfToken(index: ProgramIndex, token: string): string | undefined {
  if (token === '') return undefined;
  return index.owners.get(token) ?? (index.programs.has(token) ? token : undefined);
}

/** Adds to `into` every program whose identifiers or name appear in `value`; returns `into`. */
export function programsNamedIn(index: ProgramIndex, value: unknown, into = new Set<string>()): Set<string> {
  const strings: string[] = [];
  collectStrings(value, strings);
  for (const text of strings) {
    for (const token of tokensOf(text)) {
      const program = programOfToken(index, token);
      if (program !== undefined) into.add(program);
    }
  }
  return into;
}

/** Every token of every string in `value` (to recognise what a station itself sent). */
export function tokenSet(value: unknown): Set<string> {
  const strings: string[] = [];
  collectStrings(value, strings);
  return new Set(strings.flatMap(tokensOf));
}

/** Whether every program of the plant is among `programs`. */
export function clearedForEvery(index: ProgramIndex, programs: readonly string[]): boolean {
  for (const program of index.programs) if (!programs.includes(program)) return false;
  return true;
}

/**
 * `value` with every identifier or name of a program not among `cleared` replaced by
 * {@link WITHHELD}, except tokens in `keep` (what the station itself sent: echoing it back discloses
 * nothing). The same value (not a copy) when there is nothing to withhold.
 */
export function withholdForeign<T>(value: T, index: ProgramIndex, cleared: readonly string[], keep: ReadonlySet<string> = new Set()): T {
  const foreign = (token: string): boolean => {
    if (keep.has(token)) return false;
    const program = programOfToken(index, token);
    return program !== undefined && !cleared.includes(program);
  };
  const text = (input: string): string => {
    if (foreign(input)) return WITHHELD;
    let changed = false;
    const parts = input.split(SEPARATORS_KEPT).map((part, i) => {
      // Odd parts are the separators themselves.
      if (i % 2 === 1 || part === '') return part;
      const core = part.replace(EDGE_PUNCTUATION, '');
      if (!foreign(part) && !foreign(core)) return part;
      changed = true;
      return `${LEADING.exec(part)?.[0] ?? ''}${WITHHELD}${TRAILING.exec(part)?.[0] ?? ''}`;
    });
    return changed ? parts.join('') : input;
  };
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return text(item);
    if (Array.isArray(item)) {
      let changed = false;
      const next = item.map((element) => {
        const walked = walk(element);
        if (walked !== element) changed = true;
        return walked;
      });
      return changed ? next : item;
    }
    if (typeof item === 'object' && item !== null) {
      let changed = false;
      const entries = Object.entries(item).map(([key, element]) => {
        const walkedKey = text(key);
        const walked = walk(element);
        if (walkedKey !== key || walked !== element) changed = true;
        return [walkedKey, walked] as const;
      });
      return changed ? Object.fromEntries(entries) : item;
    }
    return item;
  };
  return walk(value) as T;
}
