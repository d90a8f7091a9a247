/**
 * One seeded run: three stations (and a spare) share the demo plant on a real server, go offline
 * and come back in an order the seed decides, and do the plant's work with the real domain checks
 * against what each of them knows. Some seeds also do what a plant must survive: a station with its
 * clock an hour off, an event lost on a device, a forged release, a revision change mid-shift,
 * material split or scrapped while another station builds it in, two dispositions of one NCR item.
 */
import type { Characteristic } from '../../schemas/routing.ts';
import type { EventPayloads } from '../../schemas/event.ts';
import type { Receipt } from '../../schemas/receipt.ts';
import type { RuleId } from '../../src/domain/rules/index.ts';
import type { PlantState } from '../../src/domain/plant.ts';
import type { UnitRef } from '../../schemas/common.ts';
import type { WorkOrder } from '../../schemas/work-order.ts';
import { RELEASE_MEANING } from '../../src/domain/holds.ts';
import { limitsOf } from '../../src/domain/inspection.ts';
import { checkConsume } from '../../src/domain/material.ts';
import { checkScrap, checkSplit } from '../../src/domain/material-moves.ts';
import { CONCURRENCE_MEANINGS, DISPOSITION_MEANINGS, itemsOf, undispositionedQuantity } from '../../src/domain/ncr.ts';
import { checkMeasurement } from '../../src/domain/measurement.ts';
import { checkQualified } from '../../src/domain/qualification.ts';
import { characteristicKey, operationsInOrder, routingOf, stepKey } from '../../src/domain/plant.ts';
import { checkComplete, checkStart, outstandingMaterial, statusOf } from '../../src/domain/traveler.ts';
import type { Random } from './random.ts';
import { seeded } from './random.ts';
import { SimStation, enroll } from './sim-station.ts';

export interface SimulationOptions {
  baseUrl: string;
  seed: number;
  ticks: number;
  /** Changes an operation's instruction revision on the server, as plant engineering would. */
  reviseInstruction: (partNumber: string, partRevision: string, operationId: string, revision: string, effectiveFrom: Date) => Promise<void>;
}

export interface SimulationResult {
  stations: SimStation[];
  /** Rules that visibly fired in this run. */
  fired: Set<RuleId>;
}

const REVIEW: Record<'accept' | 'void' | 'open-ncr', EventPayloads['conflict.resolved']['signature']['meaning']> = {
  accept: 'reviewed: accepted as recorded',
  void: 'reviewed: voided',
  'open-ncr': 'reviewed: nonconformance opened',
};

function signature(meaning: EventPayloads['hold.released']['signature']['meaning'], at: Date, signerBadge = 'B-3001', printedName = 'Sam Reyes') {
  return { signerBadge, printedName, meaning, reason: 'Reviewed on the floor', signedAt: at.toISOString(), components: 'badge+pin' } as const;
}

function qualifiedFor(plant: PlantState, operationType: string, at: Date, random: Random): string | undefined {
  const people = [...plant.operators.values()].filter((o) => checkQualified(o, operationType, at).ok);
  return random.pick(people.map((o) => o.badge).sort());
}

function measuredText(characteristic: Characteristic, random: Random): string {
  const { lower, upper } = limitsOf(characteristic);
  const outOfTolerance = random.chance(0.12);
  if (upper !== null && lower === null) return String(outOfTolerance ? upper * 2 : upper * 0.5);
  const mid = characteristic.nominal ?? ((lower ?? 0) + (upper ?? 0)) / 2;
  const half = ((upper ?? mid) - (lower ?? mid)) / 2;
  return (outOfTolerance ? mid + half * 3 : mid + half * (random.next() - 0.5)).toFixed(4);
}

/** The units (of every work order) with the most operations complete that still have one to do. */
function furthestAlong(plant: PlantState, orders: readonly WorkOrder[]): Array<{ workOrder: WorkOrder; unit: UnitRef }> {
  let best = 0;
  let units: Array<{ workOrder: WorkOrder; unit: UnitRef }> = [];
  for (const workOrder of orders) {
    const routing = routingOf(plant, workOrder);
    if (routing === undefined) continue;
    const operations = operationsInOrder(routing);
    for (const unit of workOrder.units) {
      const done = operations.findIndex((op) => statusOf(plant.steps.get(stepKey(workOrder.id, unit, op.id))) !== 'complete');
      if (done <= 0) continue;
      if (done > best) [best, units] = [done, []];
      if (done === best) units.push({ workOrder, unit });
    }
  }
  return units;
}

/** One piece of traveler work the station's person would do next on a random unit. */
function work(station: SimStation, random: Random): void {
  const plant = station.plant();
  const at = station.now();
  const orders = [...plant.workOrders.values()].sort((a, b) => a.id.localeCompare(b.id));
  // A cell finishes what it started more often than it starts something new: half the time the
  // person takes a unit furthest along its routing, so units reach assembly (and C6 can happen).
  const furthest = random.chance(0.5) ? furthestAlong(plant, orders) : [];
  const picked = random.pick(furthest);
  const workOrder = picked?.workOrder ?? random.pick(orders);
  if (workOrder === undefined) return;
  const unit = picked?.unit ?? random.pick(workOrder.units);
  const routing = routingOf(plant, workOrder);
  if (unit === undefined || routing === undefined) return;
  const operation = operationsInOrder(routing).find((op) => statusOf(plant.steps.get(stepKey(workOrder.id, unit, op.id))) !== 'complete');
  if (operation === undefined) return;
  const target = { workOrderId: workOrder.id, unit, operationId: operation.id };
  const status = statusOf(plant.steps.get(stepKey(workOrder.id, unit, operation.id)));
  const stepPayload = { ...target, instructionRevision: operation.instruction.revision };

  if (status === 'not-started') {
    if (random.chance(0.04)) {
      // Someone starts work they are not qualified for: the station would refuse, a stale roster would not.
      station.record('op.started', 'B-1007', stepPayload);
      return;
    }
    const actor = qualifiedFor(plant, operation.operationType, at, random);
    if (actor !== undefined && checkStart(plant, { ...target, actor, at }).ok) station.record('op.started', actor, stepPayload);
    return;
  }

  const ctx = { workOrder, routing, operation, unit };
  const [partNumber, need] = [...outstandingMaterial(plant, ctx)][0] ?? [];
  if (partNumber !== undefined && need !== undefined) {
    const actor = qualifiedFor(plant, operation.operationType, at, random) ?? 'B-3001';
    if (random.chance(0.05) && [...plant.lots.values()].some((l) => l.partNumber === partNumber)) {
      // Counted wrong on the shelf: more taken from a lot than the station thinks is left.
      const lot = [...plant.lots.values()].filter((l) => l.partNumber === partNumber).sort((a, b) => a.remaining - b.remaining)[0];
      if (lot !== undefined) {
        station.record('material.consumed', actor, { ...target, material: { kind: 'lot', lotId: lot.lotId, partNumber, quantity: Math.max(need, lot.remaining + 1) }, scanned: lot.lotId });
      }
      return;
    }
    const candidates = [...[...plant.serials.values()].filter((s) => s.partNumber === partNumber && s.workOrderId === undefined).map((s) => s.serial), ...[...plant.lots.values()].filter((l) => l.partNumber === partNumber).map((l) => l.lotId)].sort();
    for (let tries = 0; tries < 4; tries++) {
      // People take the first bin on the shelf more often than not: two stations offline take the same serial.
      const scanned = tries === 0 && random.chance(0.7) ? candidates[0] : random.pick(candidates);
      if (scanned === undefined) return;
      const check = checkConsume(plant, { ...target, scanned });
      if (check.ok) {
        station.record('material.consumed', actor, { ...target, material: check.value.material, scanned });
        return;
      }
    }
    return;
  }

  const uninspected = operation.characteristics.filter((c) => !plant.measurements.has(characteristicKey(workOrder.id, unit, operation.id, c.id)));
  const characteristic = uninspected[0];
  if (characteristic !== undefined) {
    const actor = random.pick(['B-2001', 'B-4001']) ?? 'B-2001';
    const input = characteristic.kind === 'attribute'
      ? ({ kind: 'attribute', verdict: random.chance(0.1) ? 'fail' : 'pass' } as const)
      : ({ kind: 'variable', text: measuredText(characteristic, random), unit: characteristic.unit ?? 'mm' } as const);
    const check = checkMeasurement(plant, { ...target, actor, at, characteristicId: characteristic.id, input, gaugeId: 'G-17' });
    if (check.ok) station.record('measurement.recorded', actor, check.value.payload);
    return;
  }

  const actor = qualifiedFor(plant, operation.operationType, at, random);
  if (actor !== undefined && checkComplete(plant, { ...target, actor, at }).ok) station.record('op.completed', actor, stepPayload);
}

/**
 * Stores and quality moving material: a lot split into a new lot, a free serial or part of a lot
 * scrapped, as the station's checks allow from what it knows (another station offline may have
 * built the same material in: C18, C19). Now and then what a station that did not know would send:
 * a serialized part consumed as a lot quantity (C20), a disposition signed by an operator (C32).
 */
function handleMaterial(station: SimStation, random: Random, stations: readonly SimStation[]): void {
  const plant = station.plant();
  const roll = random.next();
  if (roll < 0.4) {
    const lots = [...plant.lots.values()].filter((l) => l.remaining >= 2 && !l.lotId.startsWith('LOT-')).sort((a, b) => a.lotId.localeCompare(b.lotId));
    const lot = random.pick(lots);
    if (lot === undefined) return;
    const quantity = Math.max(1, Math.floor(lot.remaining * (0.3 + random.next() * 0.7)));
    const check = checkSplit(plant, lot.lotId, [{ lotId: `${lot.lotId}-S${random.int(10_000)}`, quantity }], 'Kitted for the cell');
    if (check.ok) station.record('lot.split', 'B-3001', check.value);
  } else if (roll < 0.7) {
    const free = [...plant.serials.values()].filter((s) => s.workOrderId === undefined && s.consumedInto === undefined && s.scrapped === undefined).sort((a, b) => a.serial.localeCompare(b.serial));
    const serial = random.chance(0.6) ? random.pick(free) : undefined;
    const lot = random.pick([...plant.lots.values()].filter((l) => l.remaining >= 1 && !l.lotId.startsWith('LOT-')).sort((a, b) => a.lotId.localeCompare(b.lotId)));
    const item = serial !== undefined
      ? ({ kind: 'serial', serial: serial.serial } as const)
      : lot === undefined ? undefined : ({ kind: 'lot', lotId: lot.lotId, quantity: Math.max(1, Math.floor(lot.remaining / 2)) } as const);
    if (item === undefined) return;
    const check = checkScrap(plant, item, 'Dropped on the floor');
    if (check.ok) station.record('unit.scrapped', 'B-4001', check.value);
  } else if (roll < 0.85) {
    // A stale bill at a station: the bearing (serialized) taken as a lot quantity.
    const key = [...plant.steps.entries()].filter(([, st]) => st.started !== undefined && st.completed === undefined).map(([k]) => k).sort()[0];
    const [workOrderId, unitKey, operationId] = key?.split('|') ?? [];
    if (workOrderId === undefined || unitKey === undefined || operationId === undefined) return;
    const [kind, id = ''] = unitKey.split(':');
    const unit = kind === 'lot' ? ({ kind: 'lot', lotId: id } as const) : ({ kind: 'serial', serial: id } as const);
    station.record('material.consumed', 'B-1001', {
      workOrderId, unit, operationId,
      material: { kind: 'lot', lotId: 'BRG-0001', partNumber: 'P-900', quantity: 1 }, scanned: 'BRG-0001',
    });
  } else {
    const ncr = random.pick(byStableId([...plant.nonconformances.values()].filter((n) => n.status === 'open' && n.workOrderId !== undefined), (n) => n.ncrId, stations));
    const item = ncr === undefined ? undefined : itemsOf(plant, ncr).find((i) => undispositionedQuantity(i) > 0);
    if (ncr === undefined || item === undefined) return;
    const signedAt = station.now().toISOString();
    station.record('ncr.dispositioned', 'B-1001', {
      ncrId: ncr.ncrId, itemId: item.itemId, workOrderId: ncr.workOrderId ?? '', unit: item.unit, disposition: 'scrap', quantity: undispositionedQuantity(item),
      signature: { signerBadge: 'B-1001', printedName: 'Ana Ortiz', meaning: DISPOSITION_MEANINGS.scrap, reason: 'Looked bad', signedAt, components: 'badge+pin' },
    });
  }
}

/**
 * Ids that embed a station id (the server gives those at random) sort by the station's place in
 * the simulation instead, so that a seed picks the same hold, conflict or NCR on every run.
 */
function byStableId<T>(items: T[], idOf: (item: T) => string, stations: readonly SimStation[]): T[] {
  const stable = (id: string) => stations.reduce((text, s, i) => text.split(s.stationId).join(`station-${i}`), id);
  return items.map((item) => ({ item, key: stable(idOf(item)) })).sort((a, b) => a.key.localeCompare(b.key)).map(({ item }) => item);
}

function supervise(station: SimStation, random: Random, stations: readonly SimStation[]): void {
  const plant = station.plant();
  const at = station.now();
  if (random.chance(0.3) && disposition(station, plant, at, random, stations)) return;
  if (random.chance(0.5)) {
    const hold = random.pick(byStableId([...plant.holds.values()].filter((h) => h.status === 'active'), (h) => h.holdId, stations));
    if (hold !== undefined) station.record('hold.released', 'B-3001', { holdId: hold.holdId, signature: signature(RELEASE_MEANING, at) });
    return;
  }
  const conflict = random.pick(byStableId([...plant.conflicts.values()].filter((c) => c.status === 'open'), (c) => c.conflictId, stations));
  if (conflict === undefined) return;
  const action = random.pick(['accept', 'void', 'open-ncr'] as const) ?? 'accept';
  station.record('conflict.resolved', 'B-3001', { conflictId: conflict.conflictId, action, signature: signature(REVIEW[action], at) });
}

/** Reads which rules a run shows firing, from what the server answered and published. */
function firedRules(stations: SimStation[], views: Iterable<{ kind: string; id: string; data: unknown }>): Set<RuleId> {
  const fired = new Set<RuleId>();
  const byFlag: Record<string, RuleId> = {
    'duplicate-completion': 'C1', 'executed-under-hold': 'C2', 'stale-revision': 'C4', 'over-consumption': 'C5',
    'double-consumption': 'C6', 'security:unauthorized-release': 'C7', 'release-not-active': 'C8', 'unqualified-operator': 'C9',
    'missing-events': 'C10', 'clock-skew': 'C11', 'security:station-mismatch': 'C12', 'beyond-bill': 'C17',
    'split-conflict': 'C18', 'scrapped-material': 'C19', 'worked-under-ncr': 'C30', 'duplicate-disposition': 'C31', 'unauthorized-disposition': 'C32',
  };
  const measurementIds = new Set<string>();
  for (const station of stations) {
    for (const event of station.events) if (event.type === 'measurement.recorded') measurementIds.add(event.id);
    for (const receipt of station.receipts.values()) {
      for (const flag of receipt.flags) {
        const rule = byFlag[flag];
        if (rule !== undefined) fired.add(rule);
      }
      if (receipt.outcome === 'rejected' && /does not have|is not a unit|is not a characteristic/.test(receipt.reason ?? '')) fired.add('C13');
      if (receipt.outcome === 'rejected' && /is serialized: it is consumed by its serial/.test(receipt.reason ?? '')) fired.add('C20');
    }
  }
  for (const view of views) {
    if (view.kind === 'hold' && measurementIds.has(view.id.replace(/^hold:H-/, ''))) fired.add('C3');
  }
  return fired;
}

export async function runSimulation(options: SimulationOptions): Promise<SimulationResult> {
  const random = seeded(options.seed);
  // The simulation's clock: every tick is 10 ms later, whatever the machine's load. With the real
  // clock, how many ticks fell in one millisecond decided the order of events with equal hybrid
  // times (then by the server's random station ids), and so which conflicts a seed produced.
  let simTime = Date.now();
  const clock = () => simTime;
  const stations: SimStation[] = [];
  for (let i = 0; i < 3; i++) {
    // The third station signs with ECDSA P-256, as a browser without Ed25519 would.
    const { stationId, credential, key } = await enroll(options.baseUrl, `sim-${options.seed}-${i}`, i === 2 ? 'ECDSA-P256' : 'Ed25519');
    // One seed in three has a station whose clock is an hour behind.
    const offset = i === 2 && options.seed % 3 === 0 ? -60 * 60 * 1000 : 0;
    stations.push(new SimStation(options.baseUrl, stationId, credential, random, offset, key, clock));
  }
  for (const station of stations) await station.pull();

  const reviseAt = Math.floor(options.ticks / 3);
  for (let tick = 0; tick < options.ticks; tick++) {
    simTime += 10;
    const station = random.pick(stations);
    if (station === undefined) break;
    if (tick === reviseAt && options.seed % 2 === 0) {
      await options.reviseInstruction('P-100', 'C', 'OP20', 'C', new Date(simTime - 1000));
    }
    const roll = random.next();
    if (roll < 0.08) station.online = !station.online;
    else if (roll < 0.2) {
      if (station.online) await station.push();
    } else if (roll < 0.32) {
      if (station.online) await station.pull();
    } else if (roll < 0.86) work(station, random);
    else if (roll < 0.88) handleMaterial(station, random, stations);
    else if (roll < 0.96) supervise(station, random, stations);
    else if (roll < 0.97) {
      // A release forged at a station by an operator.
      const hold = [...station.plant().holds.values()].find((h) => h.status === 'active');
      if (hold !== undefined) station.record('hold.released', 'B-1001', { holdId: hold.holdId, signature: signature(RELEASE_MEANING, station.now(), 'B-1001', 'Ana Ortiz') });
    } else if (roll < 0.98) {
      station.record('op.started', 'B-1001', { workOrderId: 'WO-9999', operationId: 'OP10', unit: { kind: 'serial', serial: 'SN-9999-01' }, instructionRevision: 'A' });
    } else if (roll < 0.99) {
      station.record('session.signed-in', 'B-1001', { workCenterId: 'WC-MILL' }, { skipSeq: true });
    } else {
      const other = stations.find((s) => s !== station);
      if (other !== undefined) station.record('session.signed-in', 'B-1001', { workCenterId: 'WC-MILL' }, { stationId: other.stationId });
    }
  }

  // Everyone comes back: push and pull until nothing is pending anywhere.
  for (let round = 0; round < 3; round++) {
    for (const station of stations) {
      station.online = true;
      await station.push();
    }
    for (const station of stations) await station.pull();
  }
  const anyStation = stations[0];
  const views = anyStation === undefined ? [] : [...anyStation.views.values()];
  return { stations, fired: firedRules(stations, views) };
}

export type { Receipt };

/**
 * Quality's MRB at the station: an open NCR item accepted as is with engineering's concurrence (and
 * a customer approval reference), so work stopped by an NCR (C2, C3) goes on, as in a plant.
 */
function disposition(station: SimStation, plant: PlantState, at: Date, random: Random, stations: readonly SimStation[]): boolean {
  const open = byStableId([...plant.nonconformances.values()].filter((n) => n.status === 'open' && n.workOrderId !== undefined), (n) => n.ncrId, stations);
  const ncr = random.pick(open);
  if (ncr === undefined) return false;
  const item = itemsOf(plant, ncr).find((i) => undispositionedQuantity(i) > 0);
  if (item === undefined) return false;
  const signedAt = at.toISOString();
  const reason = "Within the drawing\u2019s function; reviewed by MRB";
  station.record('ncr.dispositioned', 'B-4001', {
    ncrId: ncr.ncrId,
    itemId: item.itemId,
    workOrderId: ncr.workOrderId ?? '',
    unit: item.unit,
    disposition: 'use-as-is',
    quantity: undispositionedQuantity(item),
    customerApprovalRef: 'CA-SIM-1',
    signature: { signerBadge: 'B-4001', printedName: 'Quinn Lee', meaning: DISPOSITION_MEANINGS['use-as-is'], reason, signedAt, components: 'badge+pin' },
    concurrence: { signerBadge: 'B-5001', printedName: 'Rosa Lindqvist', meaning: CONCURRENCE_MEANINGS['use-as-is'], reason, signedAt, components: 'badge+pin' },
  });
  return true;
}
