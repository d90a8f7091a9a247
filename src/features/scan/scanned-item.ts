/**
 * What a scanned label names for a look-up (the Genealogy and Evidence screens): read as every other
 * screen reads a scan (src/scan/parse.ts), so a GS1 or ISO 15434 label gives its lot or serial, not
 * its raw text. Pure, so it is unit-tested.
 */
import type { UnitRef } from '../../../schemas/common.ts';
import type { ScanResult } from '../../scan/parse.ts';

/**
 * The lot or serial a scanned label names (a GS1 or ISO 15434 label's lot or serial, or plain text
 * as scanned, without its symbology identifier), or why it cannot be read.
 */
export function scannedItem(scan: ScanResult): { ok: true; text: string; kind?: UnitRef['kind'] } | { ok: false; error: string } {
  if (!scan.ok) return { ok: false, error: `Not a readable label: ${scan.error}` };
  if (scan.serial !== undefined) return { ok: true, text: scan.serial, kind: 'serial' };
  if (scan.lot !== undefined) return { ok: true, text: scan.lot, kind: 'lot' };
  const plain = scan.dataType === 'text' && scan.elements.length === 1 ? scan.elements[0]?.value : undefined;
  if (plain !== undefined && plain.trim() !== '') return { ok: true, text: plain.trim() };
  return { ok: false, error: 'The label names no lot or serial' };
}

