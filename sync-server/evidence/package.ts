/**
 * The evidence package of a serial, a lot or a work order (issue 14; docs/evidence.md): the
 * traveler, measurements, genealogy both ways with lot provenance, holds and releases,
 * nonconformances, conflict items and resolutions, and refused events, each fact citing the audit
 * entry that records it; every entry with its inclusion proof to one checkpoint the server signs
 * for the package, whose extension lines name the head of every subject's chain (completeness:
 * shared/DESIGN.md §3). A plain function: the route and the command line call it.
 *
 * Program clearance (docs/sync-spec.md S20): a root of a program the asker is not cleared for is
 * answered as one that does not exist (null); a genealogy link to another program's unit is not
 * followed and not shown; an entry of a shown subject's chain that concerns such a program is
 * carried as its leaf hash only, as the audit routes serve it.
 */
import type { AuditEntry } from '../../schemas/audit-entry.ts';
import { EVIDENCE_FORMAT, type EvidenceFact, type EvidencePackage, type EvidenceQuery } from '../../schemas/evidence.ts';
import type { Characteristic, Operation } from '../../schemas/routing.ts';
import { fromHex, toBase64 } from '../../src/audit/canonical.ts';
import { formatNote, parseCheckpoint } from '../../src/audit/checkpoint.ts';
import { entryLeafHash } from '../../src/audit/entry.ts';
import { entrySubjects } from '../../src/audit/subjects.ts';
import type { PlantState } from '../../src/domain/plant.ts';
import { findOperation } from '../../src/domain/rework.ts';
import type { UnitRef } from '../../schemas/common.ts';
import type { SqlClient } from '../store/sql-client.ts';
import { nodeSha256, type AuditLog } from '../audit/audit-log.ts';
import { programOfUnit, programsOfEntry, type ProgramIndex } from '../audit/clearance.ts';
import { signWith, type ServerKey } from '../audit/server-key.ts';
import type { GenealogyLink, GenealogyMark, GenealogySource, LotProvenance } from './genealogy-source.ts';
import { storedAttachments } from '../attachments/attachment-store.ts';

type WalkedLink = GenealogyLink & { depth: number };

/** A value as text: strings as they are, anything else as JSON ('' for nothing). */
const str = (value: unknown): string => (typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value));


/** Most units the genealogy walk takes in (both ways together); beyond it the package says `truncated`. */
export const MAX_GENEALOGY_UNITS = 500;

/** The extension line of the package's checkpoint naming a subject's head (docs/evidence.md). */
export function headLine(subject: string, head: number | null): string {
  return `evidence-head ${head === null ? '-' : str(head)} ${JSON.stringify(subject)}`;
}

/** What {@link buildEvidence} reads and who asks. */
export interface EvidenceSources {
  sql: SqlClient;
  audit: AuditLog;
  /** The plant at least as new as the log (clearance.ts currentPlant). */
  plant: PlantState;
  programs: ProgramIndex;
  /** Programs the asker is cleared for; null for plant IT reading the data directory (every program). */
  cleared: readonly string[] | null;
  genealogy: GenealogySource;
  /** Signs the package's checkpoint: the key in force at the log's latest checkpoint. */
  key: ServerKey;
  now: () => Date;
  /**
   * The checkpoint to prove against, read before `plant` (so the plant knows every program an entry
   * up to it concerns); the log's latest when absent.
   */
  checkpoint?: { size: number; note: string } | null;
}

type Obj = Record<string, unknown>;
const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The value at a dotted path of an entry (undefined where there is none). */
function at(entry: unknown, path: string): unknown {
  let value: unknown = entry;
  for (const part of path.split('.')) value = isObj(value) ? value[part] : undefined;
  return value;
}

interface Cited {
  index: number;
  text: string;
  entry: AuditEntry;
}

/** A fact citing `cited`: the values at `paths` (those present) as recorded, and context. */
function fact(cited: Cited | undefined, paths: readonly string[], context: Obj): EvidenceFact {
  if (cited === undefined) return { recorded: {}, context };
  const recorded: Obj = {};
  for (const path of paths) {
    const value = at(cited.entry, path);
    if (value !== undefined) recorded[path] = value;
  }
  return { entry: cited.index, recorded, context };
}

const CHAIN_BATCH = 2000;

async function loadEntries(sql: SqlClient, indexes: readonly number[]): Promise<Map<number, string>> {
  const texts = new Map<number, string>();
  for (let i = 0; i < indexes.length; i += CHAIN_BATCH) {
    const rows = await sql.query<{ idx: string | number; entry: string }>(
      `SELECT e.idx, e.entry FROM audit_entries e JOIN jsonb_array_elements_text($1::jsonb) AS x(i) ON e.idx = x.i::bigint`,
      [JSON.stringify(indexes.slice(i, i + CHAIN_BATCH).map(String))],
    );
    for (const row of rows) texts.set(Number(row.idx), row.entry);
  }
  return texts;
}

async function subjectIndexes(sql: SqlClient, subject: string, size: number): Promise<number[]> {
  const rows = await sql.query<{ idx: string | number }>('SELECT idx FROM audit_units WHERE unit = $1 AND idx < $2 ORDER BY idx', [subject, size]);
  return rows.map((row) => Number(row.idx));
}

/** The units a query names, or null when there is none (or none the asker may see). */
function rootsOf(query: EvidenceQuery, sources: EvidenceSources, known: (subject: string) => Promise<boolean>, visible: (subject: string) => boolean): Promise<string[] | null> | string[] | null {
  if (query.kind === 'workOrder') {
    const workOrder = sources.plant.workOrders.get(query.id);
    if (workOrder === undefined || !visible(`work-order:${query.id}`)) return null;
    return [`work-order:${query.id}`, ...workOrder.units.map((unit) => (unit.kind === 'serial' ? `serial:${unit.serial}` : `lot:${unit.lotId}`))];
  }
  const subject = `${query.kind}:${query.id}`;
  if (!visible(subject)) return null;
  return known(subject).then((yes) => (yes ? [subject] : null));
}

/**
 * Builds the package, or null when the query names nothing the asker may see: a unit of a program
 * it is not cleared for gets exactly the answer of a unit that does not exist.
 */
export async function buildEvidence(query: EvidenceQuery, sources: EvidenceSources): Promise<EvidencePackage | null> {
  const { sql, audit, plant, programs, cleared } = sources;
  const latest = sources.checkpoint !== undefined ? sources.checkpoint : await audit.latestCheckpoint(sql);
  if (latest === null) return null;
  const size = latest.size;
  const visible = (subject: string): boolean => {
    if (cleared === null) return true;
    const program = programOfUnit(programs, subject);
    return program === null || cleared.includes(program);
  };
  const known = async (subject: string): Promise<boolean> => {
    const id = subject.slice(subject.indexOf(':') + 1);
    if (subject.startsWith('serial:') && plant.serials.has(id)) return true;
    if (subject.startsWith('lot:') && plant.lots.has(id)) return true;
    return (await subjectIndexes(sql, subject, size)).length > 0;
  };
  const roots = await rootsOf(query, sources, known, visible);
  if (roots === null) return null;

  // Genealogy, both ways, bounded (docs/genealogy.md: consumed into, split, merged; material returned
  // whole is shown but not followed); links to units the asker may not see are neither shown nor followed.
  const units = new Set(roots.filter((s) => !s.startsWith('work-order:')));
  const depthOf = new Map<string, number>([...units].map((s) => [s, 0]));
  const whereFrom: WalkedLink[] = [];
  const whereUsed: WalkedLink[] = [];
  let truncated = false;
  const walk = async (direction: 'down' | 'up'): Promise<void> => {
    let frontier = [...units].filter((s) => roots.includes(s));
    for (let depth = 1; frontier.length > 0; depth++) {
      const next: string[] = [];
      for (const subject of frontier) {
        const links = direction === 'down' ? await sources.genealogy.whereFrom(subject) : await sources.genealogy.whereUsed(subject);
        for (const link of links) {
          const other = direction === 'down' ? link.material : link.into;
          if (!visible(other)) continue;
          if (!units.has(other)) {
            if (units.size >= MAX_GENEALOGY_UNITS) {
              truncated = true;
              continue;
            }
            units.add(other);
            depthOf.set(other, depth);
            if (link.net === undefined || link.net > 0) next.push(other);
          }
          (direction === 'down' ? whereFrom : whereUsed).push({ ...link, depth });
        }
      }
      frontier = next;
    }
  };
  await walk('down');
  await walk('up');
  const scrapped: Array<{ subject: string; depth: number; marks: GenealogyMark[] }> = [];
  for (const subject of [...units].sort()) {
    const marks = await sources.genealogy.scrapped(subject);
    if (marks.length > 0) scrapped.push({ subject, depth: depthOf.get(subject) ?? 0, marks });
  }

  const subjects = [...new Set([...roots, ...units])].sort();
  const chains = new Map<string, number[]>();
  for (const subject of subjects) chains.set(subject, await subjectIndexes(sql, subject, size));
  const chainIndexes = [...new Set([...chains.values()].flat())].sort((a, b) => a - b);
  const texts = await loadEntries(sql, chainIndexes);
  const readable = (text: string): boolean => {
    if (cleared === null) return true;
    for (const program of programsOfEntry(programs, text)) if (!cleared.includes(program)) return false;
    return true;
  };
  const cited = new Map<number, Cited>();
  const withheldIndexes: number[] = [];
  for (const index of chainIndexes) {
    const text = texts.get(index);
    if (text === undefined) throw new Error(`Audit entry ${index} is missing`);
    if (readable(text)) cited.set(index, { index, text, entry: JSON.parse(text) as AuditEntry });
    else withheldIndexes.push(index);
  }

  // The keys (log.created, key.rotated) and the enrollment entries of the stations whose events are carried.
  const stations = new Set<string>();
  for (const { entry } of cited.values()) {
    if (entry.kind !== 'receipt') continue;
    if (entry.stationId !== undefined) stations.add(entry.stationId);
    const eventStation = at(entry, 'event.stationId');
    if (typeof eventStation === 'string') stations.add(eventStation);
  }
  const support = await sql.query<{ idx: string | number; entry: string }>(
    `SELECT idx, entry FROM audit_entries WHERE idx < $1 AND (kind IN ('log.created', 'key.rotated')
       OR (kind = 'station.enrolled' AND (entry::jsonb ->> 'stationId') IN (SELECT jsonb_array_elements_text($2::jsonb)))) ORDER BY idx`,
    [size, JSON.stringify([...stations])],
  );
  for (const row of support) {
    const index = Number(row.idx);
    if (cited.has(index) || withheldIndexes.includes(index)) continue;
    if (readable(row.entry)) cited.set(index, { index, text: row.entry, entry: JSON.parse(row.entry) as AuditEntry });
    else {
      // An enrollment naming a program the asker is not cleared for: its hash only (S20).
      withheldIndexes.push(index);
      texts.set(index, row.entry);
    }
  }
  withheldIndexes.sort((a, b) => a - b);

  const indexes = [...cited.keys()].sort((a, b) => a - b);
  // Every proof's node rows in few queries, not one query per entry.
  const proofs = await audit.inclusions(sql, [...indexes, ...withheldIndexes], size);
  const entries = indexes.map((index, i) => ({ index, entry: (cited.get(index) as Cited).text, proof: proofs[i] as string[] }));
  const withheld = withheldIndexes.map((index, i) => ({
    index,
    subjects: subjects.filter((subject) => (chains.get(subject) as number[]).includes(index)),
    leafHash: toBase64(entryLeafHash(texts.get(index) as string, nodeSha256)),
    proof: proofs[indexes.length + i] as string[],
  }));

  const provenance = new Map<string, LotProvenance>();
  for (const subject of units) {
    if (!subject.startsWith('lot:')) continue;
    const found = await sources.genealogy.provenance(subject.slice(4));
    if (found !== null) provenance.set(subject, found);
  }

  // The package's checkpoint: the log's latest tree head, with each subject's head as extension lines.
  const logCheckpoint = parseCheckpoint(latest.note);
  const heads = subjects.map((subject) => ({ subject, head: (chains.get(subject) as number[]).at(-1) ?? null }));
  const body = `${logCheckpoint.body}${heads.map(({ subject, head }) => `${headLine(subject, head)}\n`).join('')}`;
  const note = formatNote(body, sources.key.keyName, fromHex(sources.key.keyId), signWith(sources.key, new TextEncoder().encode(body)));

  return {
    format: EVIDENCE_FORMAT,
    query,
    generatedAt: sources.now().toISOString(),
    checkpoint: { size, root: toBase64(logCheckpoint.root), note, logNote: latest.note },
    keys: await audit.keys(sql),
    subjects: heads,
    entries,
    withheld,
    truncated,
    // Which NCR photos the server holds the bytes of: the package names each by its hash (docs/ncr.md "Photo").
    facts: factsOf({ ...sources, photosOnServer: await storedAttachments(sql, [...plant.nonconformances.values()].flatMap((n) => (n.photo === undefined ? [] : [n.photo.sha256]))) }, roots, [...cited.values()].sort((a, b) => a.index - b.index), { whereFrom, whereUsed, scrapped }, units, provenance),
  };
}

/** Whether the instruction revision an operation was done to was the current one at that time. */
function currentThen(operation: Operation, revision: string, at: string, flags: readonly string[]): boolean {
  if (flags.includes('stale-revision')) return false;
  const { revision: current, effectiveFrom } = operation.instruction;
  if (revision === current) return effectiveFrom === undefined || effectiveFrom <= at;
  // An earlier revision is the current one only before the present one took effect.
  return effectiveFrom !== undefined && at < effectiveFrom;
}

function limitsOf(characteristic: Characteristic): Obj {
  const { nominal, tolMinus, tolPlus, lowerLimit, upperLimit, unit } = characteristic;
  const lower = lowerLimit ?? (nominal !== undefined && tolMinus !== undefined ? nominal - tolMinus : undefined);
  const upper = upperLimit ?? (nominal !== undefined && tolPlus !== undefined ? nominal + tolPlus : undefined);
  return {
    ...(nominal === undefined ? {} : { nominal }),
    ...(lower === undefined ? {} : { lower: Number(lower.toFixed(6)) }),
    ...(upper === undefined ? {} : { upper: Number(upper.toFixed(6)) }),
    ...(unit === undefined ? {} : { unit }),
  };
}

const STEP_PATHS = ['eventType', 'eventId', 'event.actor', 'event.deviceTime', 'recordedAt', 'stationId', 'event.payload.workOrderId', 'event.payload.operationId', 'event.payload.unit', 'event.payload.instructionRevision', 'outcome', 'flags'];
const MEASUREMENT_PATHS = [
  'eventId', 'event.actor', 'event.deviceTime', 'recordedAt', 'stationId', 'event.payload.unit', 'event.payload.operationId', 'event.payload.characteristicId',
  'event.payload.characteristicRevision', 'event.payload.instructionRevision', 'event.payload.measured', 'event.payload.gaugeId', 'event.payload.result', 'outcome', 'flags',
];
const LINK_PATHS = [
  'eventType', 'eventId', 'event.actor', 'event.deviceTime', 'recordedAt', 'stationId', 'event.payload.workOrderId', 'event.payload.operationId', 'event.payload.unit', 'event.payload.material',
  'event.payload.lot', 'event.payload.children', 'event.payload.sources', 'event.payload.into', 'event.payload.item', 'event.payload.reason', 'outcome', 'flags',
];
/**
 * An NCR event (`ncr.opened`, `ncr.dispositioned`, `ncr.rework-recorded`, and any later `ncr.*`):
 * its whole payload is recorded, so the signatures' manifestations, engineering's concurrence and
 * the customer approval reference are proven values, and a new kind of NCR event shows without a
 * change here.
 */
const NCR_EVENT_PATHS = ['eventType', 'eventId', 'event.actor', 'event.deviceTime', 'recordedAt', 'stationId', 'event.payload', 'outcome', 'flags'];

/** A shipment as recorded: the unit and quantity, the customer and the shipment reference, who and when. */
const SHIPMENT_PATHS = [
  'eventType', 'eventId', 'event.actor', 'event.deviceTime', 'recordedAt', 'stationId', 'event.payload.workOrderId', 'event.payload.unit', 'event.payload.quantity',
  'event.payload.customer', 'event.payload.shipmentRef', 'outcome', 'flags',
];

/** Relations in the words of the package's facts and report. */
const RELATION_WORDS = { consumed: 'consumed into', split: 'split into', merged: 'merged into', repacked: 'repacked into', returned: 'returned from', scrapped: 'scrapped' } as const;

/** An NCR event's kind in words: known ones by name, a later `ncr.*` from its type. */
export function ncrEventWords(type: string): string {
  const known: Record<string, string> = { 'ncr.opened': 'opened', 'ncr.dispositioned': 'dispositioned', 'ncr.rework-recorded': 'rework recorded' };
  return known[type] ?? type.replace(/^ncr\./, '').replace(/[-_.]+/g, ' ');
}

/** The readable facts, each citing its entry. */
function factsOf(
  sources: EvidenceSources & { photosOnServer: ReadonlySet<string> },
  roots: readonly string[],
  cited: readonly Cited[],
  genealogy: { whereFrom: readonly WalkedLink[]; whereUsed: readonly WalkedLink[]; scrapped: ReadonlyArray<{ subject: string; depth: number; marks: readonly GenealogyMark[] }> },
  units: ReadonlySet<string>,
  provenance: ReadonlyMap<string, LotProvenance>,
): EvidencePackage['facts'] {
  const { plant } = sources;
  // A station's name as its enrollment entry in the package records it: a station whose enrollment
  // is withheld (it names a program the asker is not cleared for, S20) is named by its id only.
  const stationNames = new Map<string, string>();
  for (const c of cited) {
    const name = at(c.entry, 'subject.name');
    if (c.entry.kind === 'station.enrolled' && c.entry.stationId !== undefined && typeof name === 'string') stationNames.set(c.entry.stationId, name);
  }
  const name = (badge: unknown): string | undefined => (typeof badge === 'string' ? plant.operators.get(badge)?.name : undefined);
  const station = (id: unknown): string | undefined => (typeof id === 'string' ? stationNames.get(id) : undefined);
  const rootUnits = roots.filter((s) => !s.startsWith('work-order:'));
  const byEvent = new Map<string, Cited>();
  for (const c of cited) if (c.entry.kind === 'receipt' && c.entry.eventId !== undefined && c.entry.outcome !== 'rejected' && !byEvent.has(c.entry.eventId)) byEvent.set(c.entry.eventId, c);
  const about = (c: Cited): boolean => entrySubjects(c.entry).some((s) => roots.includes(s));

  const facts: EvidencePackage['facts'] & { shipments: NonNullable<EvidencePackage['facts']['shipments']> } = { units: [], traveler: [], measurements: [], whereFrom: [], whereUsed: [], lots: [], holds: [], nonconformances: [], conflicts: [], refused: [], shipments: [] };
  for (const subject of rootUnits) {
    const id = subject.slice(subject.indexOf(':') + 1);
    const workOrder = [...plant.workOrders.values()].find((wo) => wo.units.some((u) => (u.kind === 'serial' ? `serial:${u.serial}` : `lot:${u.lotId}`) === subject));
    const serial = subject.startsWith('serial:') ? plant.serials.get(id) : undefined;
    facts.units.push(fact(undefined, [], {
      subject,
      ...(workOrder === undefined ? {} : { workOrderId: workOrder.id, partNumber: workOrder.partNumber, partRevision: workOrder.partRevision, program: workOrder.program }),
      ...(serial === undefined || workOrder !== undefined ? {} : { partNumber: serial.partNumber }),
    }));
  }

  for (const c of cited) {
    const { entry } = c;
    if (entry.kind !== 'receipt' || !about(c)) continue;
    const flags = (entry.flags ?? []) as string[];
    if (entry.outcome === 'rejected') {
      facts.refused.push(fact(c, ['eventType', 'eventId', 'actor', 'stationId', 'recordedAt', 'deviceTime', 'unit', 'reason', 'flags', 'outcome'], { actorName: name(entry.actor), stationName: station(entry.stationId) }));
      continue;
    }
    const payload = at(entry, 'event.payload') as Obj | undefined;
    const workOrder = typeof payload?.['workOrderId'] === 'string' ? plant.workOrders.get(payload['workOrderId']) : undefined;
    // A routing operation, or one an NCR's rework or repair inserted in this unit's traveler.
    const operation = workOrder === undefined || typeof payload?.['operationId'] !== 'string'
      ? undefined
      : findOperation(plant, workOrder.id, payload['operationId'], payload['unit'] as UnitRef | undefined);
    const actor = at(entry, 'event.actor');
    const deviceTime = str(at(entry, 'event.deviceTime') ?? '');
    switch (entry.eventType) {
      case 'op.started':
      case 'op.completed': {
        const operator = typeof actor === 'string' ? plant.operators.get(actor) : undefined;
        const held = operation === undefined || operator === undefined ? [] : operator.qualifications.filter((q) => q.operationType === operation.operationType);
        const expires = held.map((q) => q.expires).sort().at(-1);
        facts.traveler.push(fact(c, STEP_PATHS, {
          operatorName: name(actor),
          stationName: station(entry.stationId),
          ...(operation === undefined
            ? {}
            : {
                operationName: operation.name,
                sequence: operation.sequence,
                operationType: operation.operationType,
                workCenterId: operation.workCenterId,
                instructionRef: operation.instruction.ref,
                instructionCurrentNow: operation.instruction.revision,
                instructionCurrentThen: currentThen(operation, str(payload?.['instructionRevision'] ?? ''), deviceTime, flags),
                qualification: expires === undefined ? null : { operationType: operation.operationType, expires, validThatDay: expires >= deviceTime.slice(0, 10) },
              }),
        }));
        break;
      }
      case 'measurement.recorded': {
        const characteristic = operation?.characteristics.find((ch) => ch.id === payload?.['characteristicId']);
        facts.measurements.push(fact(c, MEASUREMENT_PATHS, {
          inspectorName: name(actor),
          stationName: station(entry.stationId),
          ...(characteristic === undefined
            ? {}
            : { characteristicName: characteristic.name, currentRevision: characteristic.revision, kind: characteristic.kind, limits: limitsOf(characteristic), ...(characteristic.method === undefined ? {} : { method: characteristic.method }) }),
        }));
        break;
      }
      case 'hold.placed': {
        const hold = plant.holds.get(str(payload?.['holdId'] ?? ''));
        facts.holds.push(fact(c, ['eventType', 'eventId', 'event.actor', 'event.deviceTime', 'recordedAt', 'stationId', 'event.payload.holdId', 'event.payload.subject', 'event.payload.reason', 'outcome', 'flags'], {
          placedByName: name(actor),
          stationName: station(entry.stationId),
          ...(hold === undefined ? {} : { statusNow: hold.status }),
        }));
        break;
      }
      case 'hold.released':
        facts.holds.push(fact(c, ['eventType', 'eventId', 'event.actor', 'event.deviceTime', 'recordedAt', 'stationId', 'unit', 'event.payload.holdId', 'event.payload.signature', 'outcome', 'flags'], {
          stationName: station(entry.stationId),
        }));
        break;
      case 'conflict.resolved': {
        const conflict = plant.conflicts.get(str(payload?.['conflictId'] ?? ''));
        facts.conflicts.push(fact(c, ['eventType', 'eventId', 'event.actor', 'recordedAt', 'stationId', 'unit', 'event.payload.conflictId', 'event.payload.action', 'event.payload.signature', 'outcome', 'flags'], {
          ...(conflict === undefined ? {} : { flag: conflict.flag, description: conflict.description }),
        }));
        break;
      }
      case 'unit.shipped':
        facts.shipments.push(fact(c, SHIPMENT_PATHS, { shippedByName: name(actor), stationName: station(entry.stationId) }));
        break;
      default:
        break;
    }
  }

  // Conflict items raised on events about the unit, and nonconformances opened from them or about it.
  for (const conflict of plant.conflicts.values()) {
    const source = byEvent.get(conflict.eventId);
    if (source === undefined || !about(source)) continue;
    facts.conflicts.push(fact(source, ['eventType', 'eventId', 'event.actor', 'recordedAt', 'stationId', 'unit', 'outcome', 'flags'], {
      conflictId: conflict.conflictId, flag: conflict.flag, description: conflict.description, status: conflict.status,
      ...(conflict.resolution === undefined ? {} : { resolution: { action: conflict.resolution.action, eventId: conflict.resolution.eventId } }),
    }));
  }
  const ncrIds = new Set<string>();
  for (const ncr of plant.nonconformances.values()) {
    const source = byEvent.get(ncr.sourceEventId);
    const subject = ncr.subject.kind === 'serial' ? `serial:${ncr.subject.serial}` : ncr.subject.kind === 'lot' ? `lot:${ncr.subject.lotId}` : `work-order:${ncr.subject.workOrderId}`;
    const items = ncr.items ?? [];
    const names = items.some((item) => roots.includes(item.unit.kind === 'serial' ? `serial:${item.unit.serial}` : `lot:${item.unit.lotId}`));
    if (!roots.includes(subject) && !names && (source === undefined || !about(source))) continue;
    ncrIds.add(ncr.ncrId);
    facts.nonconformances.push(fact(source, ['eventType', 'eventId', 'event.actor', 'recordedAt', 'event.payload.characteristicId', 'event.payload.measured', 'event.payload.result', 'event.payload.description'], {
      ncrId: ncr.ncrId, status: ncr.status, description: ncr.description, openedBy: ncr.openedBy, openedByName: name(ncr.openedBy), openedAt: ncr.openedAt,
      ...(ncr.holdId === undefined ? {} : { holdId: ncr.holdId }),
      // The red tag's photo by its hash (the signed ncr.opened below proves it), and where its bytes are.
      ...(ncr.photo === undefined ? {} : { photo: { ...ncr.photo, onServer: sources.photosOnServer.has(ncr.photo.sha256), path: `/api/attachments/${ncr.photo.sha256}` } }),
      // The plant's view now, each decision's own entry is a record below.
      items: items.map((item) => ({
        unit: item.unit, quantity: item.quantity,
        dispositions: item.dispositions.map((d) => ({ disposition: d.disposition, quantity: d.quantity, signedBy: d.signature.printedName, ...(d.carriedOut === undefined ? {} : { carriedOut: true }) })),
      })),
    }));
  }
  // Every NCR event about the unit or naming one of its NCRs, in log order, as recorded.
  for (const c of cited) {
    const { entry } = c;
    if (entry.kind !== 'receipt' || entry.outcome === 'rejected' || typeof entry.eventType !== 'string' || !entry.eventType.startsWith('ncr.')) continue;
    const ncrId = entry.eventType === 'ncr.opened' ? `NCR-${str(entry.eventId)}` : str(at(entry, 'event.payload.ncrId') ?? '');
    if (!about(c) && !ncrIds.has(ncrId)) continue;
    const ncr = plant.nonconformances.get(ncrId);
    facts.nonconformances.push(fact(c, NCR_EVENT_PATHS, {
      record: ncrEventWords(entry.eventType), ncrId, ...(ncr === undefined ? {} : { openedAt: ncr.openedAt }),
      actorName: name(at(entry, 'event.actor')), stationName: station(entry.stationId),
    }));
  }

  for (const [links, into] of [[genealogy.whereFrom, facts.whereFrom], [genealogy.whereUsed, facts.whereUsed]] as const) {
    for (const link of links) {
      into.push(fact(byEvent.get(link.eventId), LINK_PATHS, {
        depth: link.depth, relation: RELATION_WORDS[link.relation], into: link.into, material: link.material, partNumber: link.partNumber,
        ...(link.quantity === undefined ? {} : { quantity: link.quantity }),
        ...(link.workOrderId === undefined ? {} : { workOrderId: link.workOrderId }),
        ...(link.operationId === undefined ? {} : { operationId: link.operationId }),
        ...(link.net === undefined || link.returns === undefined || link.returns.length === 0 ? {} : { stillBuiltIn: link.net }),
      }));
      // What was taken back of a consumption: its own event, beside the consumption.
      for (const back of link.returns ?? []) {
        into.push(fact(byEvent.get(back.eventId), LINK_PATHS, {
          depth: link.depth, relation: RELATION_WORDS.returned, into: link.into, material: link.material, partNumber: link.partNumber, quantity: back.quantity, reason: back.reason,
          ...(link.workOrderId === undefined ? {} : { workOrderId: link.workOrderId }),
          ...(link.operationId === undefined ? {} : { operationId: link.operationId }),
        }));
      }
    }
  }
  for (const { subject, depth, marks } of genealogy.scrapped) {
    for (const mark of marks) {
      facts.whereUsed.push(fact(byEvent.get(mark.eventId), LINK_PATHS, { depth, relation: RELATION_WORDS.scrapped, material: subject, quantity: mark.quantity, reason: mark.reason }));
    }
  }
  for (const subject of [...units].sort()) {
    if (!subject.startsWith('lot:')) continue;
    const lot = provenance.get(subject);
    facts.lots.push(fact(undefined, [], { subject, ...(lot === undefined ? {} : { provenance: { ...lot } }) }));
  }
  return facts;
}
