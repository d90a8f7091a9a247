/**
 * What a person typed or scanned on the Evidence screen, as the query the server answers
 * (`GET /api/evidence`): a work order or a lot the plant knows (in any case), otherwise a serial.
 */
import type { UnitRef } from '../../../schemas/common.ts';
import type { EvidenceQuery } from '../../../schemas/evidence.ts';
import type { PlantState } from '../../domain/plant.ts';

/**
 * The kind and the plant's own spelling of what was typed; a serial when the plant knows no work
 * order or lot by it. A scanned label that says what it names (`kind`: a GS1 lot or serial) is taken
 * at its word, in the plant's spelling where the station holds it and as scanned otherwise.
 */
export function evidenceQueryOf(plant: PlantState, typed: string, kind?: UnitRef['kind']): EvidenceQuery {
  const id = typed.trim();
  const key = id.toLowerCase();
  if (kind === undefined) for (const workOrder of plant.workOrders.keys()) if (workOrder.toLowerCase() === key) return { kind: 'workOrder', id: workOrder };
  if (kind !== 'serial') for (const lot of plant.lots.keys()) if (lot.toLowerCase() === key) return { kind: 'lot', id: lot };
  if (kind !== 'lot') for (const serial of plant.serials.keys()) if (serial.toLowerCase() === key) return { kind: 'serial', id: serial };
  return kind === undefined ? { kind: 'serial', id: id.toUpperCase() } : { kind, id };
}

/** The words for a query's kind. */
export const KIND_WORDS: Record<EvidenceQuery['kind'], string> = { serial: 'serial', lot: 'lot', workOrder: 'work order' };

/** The file name a package downloads as. */
export function evidenceFileName(query: EvidenceQuery): string {
  return `evidence-${query.id.replace(/[^A-Za-z0-9._-]/g, '_')}.json`;
}
