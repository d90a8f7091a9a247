/**
 * A small plant for domain tests: one serialized part with four operations, one lot-tracked order,
 * a roster covering every role and qualification case, and material lots and serials.
 */
import type { EventPayload, EventType, StationEvent } from '../../../schemas/event.ts';
import type { Operator } from '../../../schemas/operator.ts';
import type { ViewDoc } from '../../../schemas/view-doc.ts';
import type { PlantState } from '../../../src/domain/plant.ts';
import { plantFromViews, reduceEvents } from '../../../src/domain/plant.ts';

const pin = { algorithm: 'PBKDF2-SHA256', iterations: 10000, salt: 'AAAAAAAAAAAAAAAAAAAAAA==', hash: 'AAAAAAAAAAAAAAAAAAAAAA==' } as const;

function person(badge: string, name: string, role: Operator['role'], quals: Array<[string, string]>, centers = ['WC-A', 'WC-B', 'WC-Q']): Operator {
  return { badge, name, role, workCenterIds: centers, qualifications: quals.map(([operationType, expires]) => ({ operationType, expires })), pin };
}

export const AT = new Date('2026-11-21T10:00:00Z');

export function fixtureViews(): ViewDoc[] {
  const docs: ViewDoc[] = [];
  let seq = 0;
  const add = <K extends ViewDoc['kind']>(kind: K, key: string, data: Extract<ViewDoc, { kind: K }>['data']) =>
    docs.push({ id: `${kind}:${key}`, kind, key, serverSeq: ++seq, data } as ViewDoc);
  add('workCenter', 'WC-A', { id: 'WC-A', name: 'Mill' });
  add('workCenter', 'WC-B', { id: 'WC-B', name: 'Assembly' });
  add('workCenter', 'WC-Q', { id: 'WC-Q', name: 'Inspection' });
  add('part', 'P-1', { partNumber: 'P-1', revision: 'C', description: 'Housing', tracking: 'serial' });
  add('part', 'P-2', { partNumber: 'P-2', revision: 'A', description: 'Bracket', tracking: 'lot' });
  add('part', 'P-9', { partNumber: 'P-9', revision: 'A', description: 'Bearing', tracking: 'serial' });
  add('part', 'P-8', { partNumber: 'P-8', revision: 'A', description: 'Screw', tracking: 'lot' });
  add('routing', 'P-1@C', {
    partNumber: 'P-1',
    partRevision: 'C',
    operations: [
      { id: 'OP20', sequence: 20, name: 'Assemble', workCenterId: 'WC-B', operationType: 'assembly', instruction: { ref: 'WI-20', revision: 'B' }, characteristics: [], bill: [{ partNumber: 'P-9', quantityPer: 1 }, { partNumber: 'P-8', quantityPer: 4 }] },
      { id: 'OP10', sequence: 10, name: 'Mill', workCenterId: 'WC-A', operationType: 'milling', instruction: { ref: 'WI-10', revision: 'D' }, characteristics: [], bill: [] },
      {
        id: 'OP30', sequence: 30, name: 'Inspect', workCenterId: 'WC-Q', operationType: 'inspection', instruction: { ref: 'WI-30', revision: 'A' },
        characteristics: [
          { id: 'C1', name: 'Bore diameter', revision: 'A', kind: 'variable', unit: 'mm', nominal: 12.7, tolMinus: 0.02, tolPlus: 0.02, gaugeRequired: true },
          { id: 'C2', name: 'No burrs', revision: 'A', kind: 'attribute', gaugeRequired: false },
        ],
        bill: [],
      },
      { id: 'OP40', sequence: 40, name: 'Pack', workCenterId: 'WC-B', operationType: 'assembly', instruction: { ref: 'WI-40', revision: 'A' }, characteristics: [], bill: [] },
    ],
  });
  add('routing', 'P-2@A', {
    partNumber: 'P-2',
    partRevision: 'A',
    operations: [
      { id: 'OP10', sequence: 10, name: 'Cut', workCenterId: 'WC-A', operationType: 'milling', instruction: { ref: 'WI-210', revision: 'A' }, characteristics: [], bill: [{ partNumber: 'P-8', quantityPer: 2 }] },
    ],
  });
  add('workOrder', 'WO-1', { id: 'WO-1', partNumber: 'P-1', partRevision: 'C', quantity: 2, tracking: 'serial', units: [{ kind: 'serial', serial: 'SN-1' }, { kind: 'serial', serial: 'SN-2' }], program: 'COMMERCIAL', dueDate: '2026-12-01' });
  add('workOrder', 'WO-2', { id: 'WO-2', partNumber: 'P-2', partRevision: 'A', quantity: 10, tracking: 'lot', units: [{ kind: 'lot', lotId: 'LOT-2' }], program: 'COMMERCIAL', dueDate: '2026-11-25' });
  add('serial', 'SN-1', { serial: 'SN-1', partNumber: 'P-1', workOrderId: 'WO-1' });
  add('serial', 'SN-2', { serial: 'SN-2', partNumber: 'P-1', workOrderId: 'WO-1' });
  add('serial', 'BRG-1', { serial: 'BRG-1', partNumber: 'P-9' });
  add('serial', 'BRG-2', { serial: 'BRG-2', partNumber: 'P-9' });
  add('serial', 'BRG-H', { serial: 'BRG-H', partNumber: 'P-9' });
  add('lot', 'LOT-2', { lotId: 'LOT-2', partNumber: 'P-2', quantity: 10, remaining: 10 });
  add('lot', 'L-8', { lotId: 'L-8', partNumber: 'P-8', quantity: 100, remaining: 100 });
  add('lot', 'L-8-LOW', { lotId: 'L-8-LOW', partNumber: 'P-8', quantity: 3, remaining: 3 });
  add('lot', 'L-8-HELD', { lotId: 'L-8-HELD', partNumber: 'P-8', quantity: 50, remaining: 50 });
  add('hold', 'H-BRG', { holdId: 'H-BRG', subject: { kind: 'serial', serial: 'BRG-H' }, reason: 'Dropped on floor', placedBy: 'B-Q', placedAt: '2026-11-20T09:00:00Z', status: 'active' });
  add('hold', 'H-LOT', { holdId: 'H-LOT', subject: { kind: 'lot', lotId: 'L-8-HELD' }, reason: 'Cert missing', placedBy: 'B-Q', placedAt: '2026-11-20T09:00:00Z', status: 'active' });
  for (const op of [
    person('B-OP', 'Ana Ortiz', 'operator', [['milling', '2030-12-31'], ['assembly', '2030-12-31']]),
    person('B-EXP', 'Ben Carter', 'operator', [['milling', '2025-06-30']]),
    person('B-NONE', 'Gus Moreau', 'operator', []),
    person('B-INS', 'Ines Park', 'inspector', [['inspection', '2030-12-31']]),
    person('B-SUP', 'Sam Reyes', 'supervisor', [['milling', '2030-12-31']], ['WC-A']),
    person('B-SUP2', 'Tara Osei', 'supervisor', [], ['WC-Z']),
    person('B-Q', 'Quinn Lee', 'quality', [['inspection', '2030-12-31']]),
    person('B-ENG', 'Rosa Lindqvist', 'engineering', []),
  ]) {
    add('operator', op.badge, op);
  }
  return docs;
}

export function fixturePlant(): PlantState {
  return plantFromViews(fixtureViews());
}

let seq = 0;

type EventFactory = <T extends EventType>(type: T, actor: string, payload: EventPayload<T>, at?: Date) => StationEvent;

/** An event as a station would record it; ids and sequence numbers are made up per call. */
export const event = ((type: EventType, actor: string, payload: object, at = AT): StationEvent => {
  seq += 1;
  const made = {
    id: `00000000-0000-7000-8000-${seq.toString().padStart(12, '0')}`,
    type,
    stationId: 'ST-1',
    seq,
    actor,
    deviceTime: at.toISOString(),
    hlc: `${at.getTime().toString().padStart(15, '0')}:000000:ST-1`,
    payload,
  };
  return made as unknown as StationEvent;
}) as unknown as EventFactory;

export const SN1 = { kind: 'serial', serial: 'SN-1' } as const;
export const SN2 = { kind: 'serial', serial: 'SN-2' } as const;

/** The current instruction revision of each operation of P-1 rev C, as a station would record it. */
const REVISION: Record<string, string> = { OP10: 'D', OP20: 'B', OP30: 'A', OP40: 'A' };

export function started(operationId: string, unit: typeof SN1 | typeof SN2 = SN1, actor = 'B-OP', workOrderId = 'WO-1'): StationEvent {
  return event('op.started', actor, { workOrderId, operationId, unit, instructionRevision: REVISION[operationId] ?? 'A' });
}

export function completed(operationId: string, unit: typeof SN1 | typeof SN2 = SN1, actor = 'B-OP', workOrderId = 'WO-1'): StationEvent {
  return event('op.completed', actor, { workOrderId, operationId, unit, instructionRevision: REVISION[operationId] ?? 'A' });
}

export function plantAfter(...events: StationEvent[]): PlantState {
  return reduceEvents(fixturePlant(), events);
}
