/**
 * The demo plant: a small actuator shop with two routings, eleven work orders, component stock,
 * a twelve-person roster and two holds, written on first start so a new install has something to
 * run. Ids here are fixed: the README, the e2e tests and the integration tests name them.
 */
import type { Role } from '../../schemas/common.ts';
import type { Hold } from '../../schemas/hold.ts';
import type { IdentifierFormat } from '../../schemas/identifier-format.ts';
import type { Lot } from '../../schemas/lot.ts';
import type { Nonconformance } from '../../schemas/nonconformance.ts';
import type { Operator, PinHash } from '../../schemas/operator.ts';
import type { Part } from '../../schemas/part.ts';
import type { Routing } from '../../schemas/routing.ts';
import type { SerialUnit } from '../../schemas/serial-unit.ts';
import type { WorkCenter } from '../../schemas/work-center.ts';
import type { WorkOrder } from '../../schemas/work-order.ts';
import { hashPin } from '../../src/auth/pin.ts';
import type { Store } from '../store/store.ts';
import { viewOf, type ViewWrite } from '../store/view-keys.ts';
import { compileViewDataValidators, formatValidationErrors } from '../validation.ts';

/** One person of the demo roster with the PIN in clear, for the README and tests; the plant stores only its hash. */
export interface DemoRosterEntry {
  badge: string;
  name: string;
  role: Role;
  pin: string;
}

interface RosterSeed extends DemoRosterEntry {
  workCenterIds: string[];
  qualifications: Operator['qualifications'];
}

const ALL_WORK_CENTERS = ['WC-MILL', 'WC-LATHE', 'WC-ASSY', 'WC-INSP'];
const FAR = '2030-12-31';

const ROSTER: readonly RosterSeed[] = [
  { badge: 'B-1001', name: 'Ana Ortiz', role: 'operator', pin: '1111', workCenterIds: ['WC-MILL', 'WC-LATHE'], qualifications: [{ operationType: 'milling', expires: FAR }, { operationType: 'turning', expires: FAR }] },
  // Milling lapsed: the unqualified-operator rule has someone to flag.
  { badge: 'B-1002', name: 'Ben Carter', role: 'operator', pin: '2222', workCenterIds: ['WC-MILL', 'WC-ASSY'], qualifications: [{ operationType: 'assembly', expires: FAR }, { operationType: 'milling', expires: '2025-06-30' }] },
  { badge: 'B-1003', name: 'Chen Wei', role: 'operator', pin: '3333', workCenterIds: ['WC-LATHE'], qualifications: [{ operationType: 'turning', expires: FAR }] },
  { badge: 'B-1004', name: 'Dana Flores', role: 'operator', pin: '4444', workCenterIds: ['WC-ASSY'], qualifications: [{ operationType: 'assembly', expires: FAR }] },
  { badge: 'B-1005', name: 'Eli Novak', role: 'operator', pin: '5555', workCenterIds: ['WC-MILL'], qualifications: [{ operationType: 'milling', expires: FAR }, { operationType: 'turning', expires: '2026-01-31' }] },
  { badge: 'B-1006', name: 'Fatima Khan', role: 'operator', pin: '6666', workCenterIds: ['WC-ASSY', 'WC-LATHE'], qualifications: [{ operationType: 'assembly', expires: FAR }, { operationType: 'turning', expires: FAR }] },
  { badge: 'B-1007', name: 'Gus Moreau', role: 'operator', pin: '7777', workCenterIds: ['WC-MILL'], qualifications: [] },
  { badge: 'B-2001', name: 'Ines Park', role: 'inspector', pin: '2468', workCenterIds: ['WC-INSP'], qualifications: [{ operationType: 'inspection', expires: FAR }] },
  { badge: 'B-2002', name: 'Jon Abara', role: 'inspector', pin: '1357', workCenterIds: ['WC-INSP'], qualifications: [{ operationType: 'inspection', expires: '2025-12-31' }] },
  {
    badge: 'B-3001',
    name: 'Sam Reyes',
    role: 'supervisor',
    pin: '9999',
    workCenterIds: ALL_WORK_CENTERS,
    qualifications: ['milling', 'turning', 'assembly', 'inspection'].map((operationType) => ({ operationType, expires: FAR })),
  },
  { badge: 'B-3002', name: 'Tara Osei', role: 'supervisor', pin: '8888', workCenterIds: ['WC-ASSY', 'WC-INSP'], qualifications: [{ operationType: 'assembly', expires: FAR }] },
  { badge: 'B-4001', name: 'Quinn Lee', role: 'quality', pin: '4321', workCenterIds: ALL_WORK_CENTERS, qualifications: [{ operationType: 'inspection', expires: FAR }] },
  // Concurs with use-as-is and repair dispositions (docs/ncr.md).
  { badge: 'B-5001', name: 'Rosa Lindqvist', role: 'engineering', pin: '5050', workCenterIds: ALL_WORK_CENTERS, qualifications: [] },
];

/** The demo roster: badge, name, role and PIN in clear (demo data only). */
export const DEMO_ROSTER: readonly DemoRosterEntry[] = ROSTER.map(({ badge, name, role, pin }) => ({ badge, name, role, pin }));

const WORK_CENTERS: WorkCenter[] = [
  { id: 'WC-MILL', name: 'CNC Mill 1' },
  { id: 'WC-LATHE', name: 'CNC Lathe 2' },
  { id: 'WC-ASSY', name: 'Assembly Bench' },
  { id: 'WC-INSP', name: 'Inspection Lab' },
];

const PARTS: Part[] = [
  { partNumber: 'P-100', revision: 'C', description: 'Actuator housing', tracking: 'serial' },
  { partNumber: 'P-200', revision: 'B', description: 'Mounting bracket', tracking: 'lot' },
  { partNumber: 'P-900', revision: 'A', description: 'Bearing, 12 mm', tracking: 'serial' },
  { partNumber: 'P-910', revision: 'A', description: 'Screw, M4x10', tracking: 'lot' },
  { partNumber: 'P-920', revision: 'A', description: 'Bar stock 6061-T6', tracking: 'lot' },
];

const ROUTINGS: Routing[] = [
  {
    partNumber: 'P-100',
    partRevision: 'C',
    operations: [
      {
        id: 'OP10', sequence: 10, name: 'Rough mill', workCenterId: 'WC-MILL', operationType: 'milling',
        instruction: { ref: 'WI-100-10', revision: 'D' },
        characteristics: [],
        bill: [{ partNumber: 'P-920', quantityPer: 1 }],
      },
      {
        id: 'OP20', sequence: 20, name: 'Finish turn bore', workCenterId: 'WC-LATHE', operationType: 'turning',
        instruction: { ref: 'WI-100-20', revision: 'B' },
        characteristics: [],
        bill: [],
      },
      {
        id: 'OP30', sequence: 30, name: 'Inspect bore', workCenterId: 'WC-INSP', operationType: 'inspection',
        instruction: { ref: 'WI-100-30', revision: 'C' },
        characteristics: [
          { id: 'C1', name: 'Bore diameter', revision: 'A', kind: 'variable', unit: 'mm', nominal: 12.7, tolMinus: 0.02, tolPlus: 0.02, gaugeRequired: true },
          // One-sided: a surface finish has only an upper limit.
          { id: 'C2', name: 'Surface finish Ra', revision: 'A', kind: 'variable', unit: 'um', upperLimit: 1.6, gaugeRequired: false },
          { id: 'C3', name: 'Visual: no burrs', revision: 'A', kind: 'attribute', gaugeRequired: false },
        ],
        bill: [],
      },
      {
        id: 'OP40', sequence: 40, name: 'Install bearing', workCenterId: 'WC-ASSY', operationType: 'assembly',
        instruction: { ref: 'WI-100-40', revision: 'A' },
        characteristics: [],
        bill: [{ partNumber: 'P-900', quantityPer: 1 }, { partNumber: 'P-910', quantityPer: 4 }],
      },
      {
        id: 'OP50', sequence: 50, name: 'Final inspection', workCenterId: 'WC-INSP', operationType: 'inspection',
        instruction: { ref: 'WI-100-50', revision: 'A' },
        characteristics: [
          { id: 'C4', name: 'Overall length', revision: 'B', kind: 'variable', unit: 'in', nominal: 2.5, tolMinus: 0.005, tolPlus: 0.005, gaugeRequired: true },
        ],
        bill: [],
      },
    ],
  },
  {
    partNumber: 'P-200',
    partRevision: 'B',
    operations: [
      {
        id: 'OP10', sequence: 10, name: 'Saw cut', workCenterId: 'WC-MILL', operationType: 'milling',
        instruction: { ref: 'WI-200-10', revision: 'A' },
        characteristics: [],
        bill: [{ partNumber: 'P-920', quantityPer: 1 }],
      },
      {
        id: 'OP20', sequence: 20, name: 'Mill profile', workCenterId: 'WC-MILL', operationType: 'milling',
        instruction: { ref: 'WI-200-20', revision: 'C' },
        characteristics: [],
        bill: [],
      },
      {
        id: 'OP30', sequence: 30, name: 'Inspect profile', workCenterId: 'WC-INSP', operationType: 'inspection',
        instruction: { ref: 'WI-200-30', revision: 'A' },
        characteristics: [
          { id: 'C1', name: 'Hole spacing', revision: 'A', kind: 'variable', unit: 'in', nominal: 1.25, tolMinus: 0.003, tolPlus: 0.003, gaugeRequired: true },
          { id: 'C2', name: 'Deburred', revision: 'A', kind: 'attribute', gaugeRequired: false },
        ],
        bill: [],
      },
      {
        id: 'OP40', sequence: 40, name: 'Deburr and pack', workCenterId: 'WC-ASSY', operationType: 'assembly',
        instruction: { ref: 'WI-200-40', revision: 'B' },
        characteristics: [],
        bill: [],
      },
    ],
  },
];

const SERIALIZED_ORDERS: readonly { id: string; units: number; program: string; dueDate: string }[] = [
  { id: 'WO-1001', units: 3, program: 'F-35-ACT', dueDate: '2026-12-04' },
  { id: 'WO-1002', units: 2, program: 'F-35-ACT', dueDate: '2026-12-11' },
  { id: 'WO-1003', units: 3, program: 'COMMERCIAL', dueDate: '2026-12-18' },
  { id: 'WO-1004', units: 1, program: 'COMMERCIAL', dueDate: '2027-01-08' },
  { id: 'WO-1005', units: 2, program: 'F-35-ACT', dueDate: '2027-01-15' },
  { id: 'WO-1006', units: 3, program: 'COMMERCIAL', dueDate: '2027-01-22' },
];

const LOT_ORDERS: readonly { id: string; quantity: number; program: string; dueDate: string }[] = [
  { id: 'WO-2001', quantity: 25, program: 'COMMERCIAL', dueDate: '2026-12-02' },
  { id: 'WO-2002', quantity: 10, program: 'COMMERCIAL', dueDate: '2026-12-09' },
  { id: 'WO-2003', quantity: 50, program: 'F-35-ACT', dueDate: '2026-12-16' },
  { id: 'WO-2004', quantity: 40, program: 'COMMERCIAL', dueDate: '2027-01-06' },
  { id: 'WO-2005', quantity: 15, program: 'F-35-ACT', dueDate: '2027-01-13' },
];

const STOCK_LOTS: Lot[] = [
  {
    lotId: 'L-910-A', partNumber: 'P-910', quantity: 500, remaining: 500,
    provenance: { supplier: 'Bossard Inc.', supplierLot: 'BN4471207', certificate: 'CoC-BN4471207', receivedDate: '2026-10-14' },
  },
  // Nearly used up: four screws per assembly make over-consumption easy to show.
  {
    lotId: 'L-910-B', partNumber: 'P-910', quantity: 250, remaining: 3,
    provenance: { supplier: 'Bossard Inc.', supplierLot: 'BN4390655', certificate: 'CoC-BN4390655', receivedDate: '2026-08-27' },
  },
  {
    lotId: 'L-920-A', partNumber: 'P-920', quantity: 200, remaining: 200,
    provenance: { supplier: 'Kaiser Aluminum', supplierLot: 'KA-26-118834', heatNumber: '7K2291', certificate: 'MTR 7K2291 (EN 10204 3.1)', receivedDate: '2026-09-30' },
  },
  {
    lotId: 'L-920-Q', partNumber: 'P-920', quantity: 40, remaining: 40,
    provenance: { supplier: 'Constellium Ravenswood', supplierLot: 'CR-612-0457', heatNumber: 'R61204', certificate: 'MTR R61204 (EN 10204 3.1)', receivedDate: '2026-11-02' },
  },
];

/** What a seed record names as its source, where the schema asks for the event that caused it. */
const SEED_SOURCE = 'seed:demo-plant';

/** Options of {@link demoPlantViews}. */
/**
 * The shapes of the demo plant's own identifiers, master data the stations' scan parser tries after
 * the standards. Ids order them: the first that matches wins.
 */
export const DEMO_IDENTIFIER_FORMATS: readonly IdentifierFormat[] = [
  { id: 'FMT-01', kind: 'badge', pattern: 'B-\\d{4}', name: 'badge' },
  { id: 'FMT-02', kind: 'workOrder', pattern: 'WO-\\d{4}', name: 'work order' },
  { id: 'FMT-03', kind: 'serial', pattern: 'SN-\\d{4}-\\d{2}', name: 'unit serial' },
  { id: 'FMT-04', kind: 'serial', pattern: 'BRG-\\d{4}', name: 'bearing serial' },
  { id: 'FMT-05', kind: 'lot', pattern: 'L-\\d{3}-[A-Z]', name: 'material lot' },
  { id: 'FMT-06', kind: 'lot', pattern: 'LOT-\\d{4}', name: 'production lot' },
  { id: 'FMT-07', kind: 'partNumber', pattern: 'P-\\d{3}', name: 'part number' },
];

export interface DemoPlantOptions {
  /** When the seeded holds and NCR are stamped; the current time unless given. */
  now?: Date;
  /** Hashes a roster PIN; `hashPin` from src/auth/pin.ts unless given. */
  hashPin?: (pin: string) => Promise<PinHash>;
}

/**
 * Every view of the demo plant, in the order a station should receive them (master data first),
 * each validated against its schema in `viewDataSchemas`. Throws naming the first invalid view.
 */
export async function demoPlantViews(options: DemoPlantOptions = {}): Promise<ViewWrite[]> {
  const at = (options.now ?? new Date()).toISOString();
  const hash = options.hashPin ?? ((pin: string) => hashPin(pin));

  const workOrders: WorkOrder[] = [];
  const serials: SerialUnit[] = [];
  const lots: Lot[] = [];
  for (const order of SERIALIZED_ORDERS) {
    const serialNumbers = Array.from({ length: order.units }, (_, i) => `SN-${order.id.slice(3)}-${String(i + 1).padStart(2, '0')}`);
    workOrders.push({
      id: order.id, partNumber: 'P-100', partRevision: 'C', quantity: order.units, tracking: 'serial',
      units: serialNumbers.map((serial) => ({ kind: 'serial', serial })),
      program: order.program, dueDate: order.dueDate,
      // The defense program's contract wants the customer's approval of use-as-is and repair.
      ...(order.program === 'F-35-ACT' ? { customerApprovalRequired: true } : {}),
    });
    for (const serial of serialNumbers) serials.push({ serial, partNumber: 'P-100', workOrderId: order.id });
  }
  for (const order of LOT_ORDERS) {
    const lotId = `LOT-${order.id.slice(3)}`;
    workOrders.push({
      id: order.id, partNumber: 'P-200', partRevision: 'B', quantity: order.quantity, tracking: 'lot',
      units: [{ kind: 'lot', lotId }],
      program: order.program, dueDate: order.dueDate,
    });
    lots.push({ lotId, partNumber: 'P-200', quantity: order.quantity, remaining: order.quantity });
  }
  for (let i = 1; i <= 12; i++) serials.push({ serial: `BRG-${String(i).padStart(4, '0')}`, partNumber: 'P-900' });
  lots.push(...STOCK_LOTS);

  // PBKDF2 runs on libuv's thread pool, so hashing the roster in parallel takes a fraction of the time.
  const operators: Operator[] = await Promise.all(
    ROSTER.map(async ({ badge, name, role, pin, workCenterIds, qualifications }) => ({
      badge, name, role, workCenterIds, qualifications, pin: await hash(pin),
    })),
  );

  const holds: Hold[] = [
    {
      holdId: 'H-SEED-1', subject: { kind: 'serial', serial: 'SN-1003-02' },
      reason: 'Suspect porosity reported by supplier; awaiting review',
      placedBy: 'B-4001', placedAt: at, status: 'active',
    },
    {
      holdId: 'H-SEED-2', subject: { kind: 'lot', lotId: 'L-920-Q' },
      reason: 'Mill cert missing',
      placedBy: 'B-4001', placedAt: at, status: 'active',
    },
  ];
  const nonconformances: Nonconformance[] = [
    {
      // On the stock lot without its mill cert: the seeded hold on SN-1003-02 is released by the demo
      // (and the audit e2e) to show a signed release, which an NCR on that serial would still stop.
      ncrId: 'NCR-SEED-1', status: 'open', subject: { kind: 'lot', lotId: 'L-920-Q' },
      items: [{ itemId: '1', unit: { kind: 'lot', lotId: 'L-920-Q' }, quantity: 40, dispositions: [] }],
      holdId: 'H-SEED-2',
      description: 'Bar stock lot L-920-Q received without its mill cert; awaiting the supplier',
      openedBy: 'B-4001', openedAt: at, sourceEventId: SEED_SOURCE,
    },
  ];

  const views: ViewWrite[] = [
    ...WORK_CENTERS.map((data) => viewOf('workCenter', data)),
    ...PARTS.map((data) => viewOf('part', data)),
    ...ROUTINGS.map((data) => viewOf('routing', data)),
    ...operators.map((data) => viewOf('operator', data)),
    ...workOrders.map((data) => viewOf('workOrder', data)),
    ...serials.map((data) => viewOf('serial', data)),
    ...lots.map((data) => viewOf('lot', data)),
    ...holds.map((data) => viewOf('hold', data)),
    ...nonconformances.map((data) => viewOf('nonconformance', data)),
    ...DEMO_IDENTIFIER_FORMATS.map((data) => viewOf('identifierFormat', data)),
  ];

  const validators = compileViewDataValidators();
  for (const view of views) {
    const validate = validators[view.kind];
    if (!validate(view.data)) {
      throw new Error(`Demo plant view ${view.kind}:${view.key} is invalid: ${formatValidationErrors(validate.errors, 'data')}`);
    }
  }
  return views;
}

/**
 * Writes the demo plant into an empty store and returns true; leaves a store that has any view
 * untouched and returns false (so a restart never overwrites what the plant has done).
 */
export async function seedDemoPlant(store: Store, options: DemoPlantOptions = {}): Promise<boolean> {
  if ((await store.countViews()) > 0) return false;
  return store.putViewsIfEmpty(await demoPlantViews(options));
}
