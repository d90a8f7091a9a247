import type { ParseOptions } from '../../scan/parse.ts';
import type { ScannedIdentifiers } from '../../domain/material.ts';
import type { PlantState } from '../../domain/plant.ts';
import type { ScanSuccess } from '../../scan/parse.ts';
import type { ScannerSettings } from '../../db/settings.ts';

/**
 * How this station parses scans: the plant's identifier formats from master data (ordered by id,
 * the first match wins), the station's GS substitute, and today's year for two-digit GS1 dates.
 */
export function stationParseOptions(plant: PlantState, scanner: ScannerSettings | undefined, now: Date = new Date()): ParseOptions {
  const plantFormats = [...plant.identifierFormats.values()]
    .sort((a, b) => a.id.localeCompare(b.id))
    .map(({ kind, pattern, name }) => ({ kind, pattern, ...(name === undefined ? {} : { name }) }));
  const gs = scanner?.gsSubstitute ?? '';
  return { plantFormats, referenceYear: now.getFullYear(), ...(gs === '' ? {} : { gsSubstitute: gs }) };
}

/**
 * The identifiers a material scan hands to the domain, or undefined for a plain identifier (looked up
 * as typed, as before any label format existed).
 */
export function materialIdentifiers(scan: ScanSuccess): ScannedIdentifiers | undefined {
  const plain = scan.dataType === 'text' && scan.elements.length === 1 && scan.elements[0]?.di === undefined;
  if (plain && scan.serial === undefined && scan.lot === undefined) return undefined;
  return {
    ...(scan.serial === undefined ? {} : { serial: scan.serial }),
    ...(scan.lot === undefined ? {} : { lot: scan.lot }),
    ...(scan.partNumber === undefined ? {} : { partNumber: scan.partNumber }),
  };
}
