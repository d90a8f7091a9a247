/**
 * Plant formats: the shapes of the plant's own identifiers (badges, work orders, internal serials and
 * lots), tried only after every standard has had its say. They come from master data (view kind
 * `identifierFormat`; the demo plant's are in sync-server/seed/demo-plant.ts). Pure.
 */

export type PlantIdentifierKind = 'badge' | 'workOrder' | 'serial' | 'lot' | 'partNumber';

export interface PlantFormat {
  kind: PlantIdentifierKind;
  /** A regular expression (source text) the whole identifier must match. */
  pattern: string;
  /** Shown in docs and on the labels screen, e.g. "bearing serial". */
  name?: string;
}

/** The first plant format the whole of `text` matches; a pattern that does not compile is skipped. */
export function matchPlantFormat(text: string, formats: readonly PlantFormat[]): PlantFormat | undefined {
  for (const format of formats) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(`^(?:${format.pattern})$`, 'u');
    } catch {
      continue;
    }
    if (pattern.test(text)) return format;
  }
  return undefined;
}
