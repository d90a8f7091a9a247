import type { FromSchema } from 'json-schema-to-ts';
import type { Conflict } from './conflict.ts';
import type { Hold } from './hold.ts';
import type { IdentifierFormat } from './identifier-format.ts';
import type { Lot } from './lot.ts';
import type { Nonconformance } from './nonconformance.ts';
import type { Operator } from './operator.ts';
import type { Part } from './part.ts';
import type { Routing } from './routing.ts';
import type { SerialUnit } from './serial-unit.ts';
import type { WorkCenter } from './work-center.ts';
import type { WorkOrder } from './work-order.ts';
import type { QuarantineEntry } from './quarantine.ts';
import type { StepView } from './step.ts';
import { conflictSchema } from './conflict.ts';
import { holdSchema } from './hold.ts';
import { identifierFormatSchema } from './identifier-format.ts';
import { lotSchema } from './lot.ts';
import { nonconformanceSchema } from './nonconformance.ts';
import { operatorSchema } from './operator.ts';
import { partSchema } from './part.ts';
import { routingSchema } from './routing.ts';
import { serialUnitSchema } from './serial-unit.ts';
import { workCenterSchema } from './work-center.ts';
import { workOrderSchema } from './work-order.ts';
import { quarantineSchema } from './quarantine.ts';
import { stepViewSchema } from './step.ts';

/** Every kind of document the server keeps as a view, with the schema of its data. */
export const viewDataSchemas = {
  workCenter: workCenterSchema,
  part: partSchema,
  routing: routingSchema,
  workOrder: workOrderSchema,
  operator: operatorSchema,
  lot: lotSchema,
  serial: serialUnitSchema,
  hold: holdSchema,
  nonconformance: nonconformanceSchema,
  step: stepViewSchema,
  conflict: conflictSchema,
  quarantine: quarantineSchema,
  identifierFormat: identifierFormatSchema,
} as const;

export type ViewKind = keyof typeof viewDataSchemas;
export const viewKinds = Object.keys(viewDataSchemas) as ViewKind[];

/** The data type of each view kind. */
export interface ViewData {
  workCenter: WorkCenter;
  part: Part;
  routing: Routing;
  workOrder: WorkOrder;
  operator: Operator;
  lot: Lot;
  serial: SerialUnit;
  hold: Hold;
  nonconformance: Nonconformance;
  step: StepView;
  conflict: Conflict;
  quarantine: QuarantineEntry;
  identifierFormat: IdentifierFormat;
}

/**
 * A server view as a station stores it: one collection keyed by kind, because RxDB's Dexie storage
 * opens at most 13 collections. `id` is `kind:key`; `serverSeq` orders changes for pull checkpoints.
 */
export const viewDocSchema = {
  title: 'view',
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 200 },
    kind: { type: 'string', enum: Object.keys(viewDataSchemas) as ViewKind[], maxLength: 40 },
    key: { type: 'string', maxLength: 150 },
    serverSeq: { type: 'integer', minimum: 0, maximum: 1e15, multipleOf: 1 },
    data: { type: 'object' },
  },
  required: ['id', 'kind', 'key', 'serverSeq', 'data'],
  additionalProperties: false,
  indexes: ['kind'],
} as const;

type ViewEnvelope = Omit<FromSchema<typeof viewDocSchema>, 'kind' | 'data'>;

/** A view document with its data typed by kind. */
export type ViewDoc = { [K in ViewKind]: ViewEnvelope & { kind: K; data: ViewData[K] } }[ViewKind];
