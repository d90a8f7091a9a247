/**
 * The audit log over HTTP (docs/audit.md): the latest checkpoint and all of them, entries by range,
 * inclusion and consistency proofs, the server's keys with their validity, and a unit's trail with
 * proofs for the station's audit screen. Behind the station credential like every other route.
 *
 * Program clearance (docs/sync-spec.md S20): an entry that concerns a program the calling station
 * is not cleared for (./clearance.ts) never leaves the server whole. By range it is served as its
 * leaf hash only, so roots and proofs still check; a trail leaves it out and counts it, and a unit of
 * such a program has no trail for the station at all; a station's enrollment entry naming such a
 * program is refused. Checkpoints, proofs and keys are hashes and public keys: every station gets them.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { StoredEntry } from '../../schemas/audit-entry.ts';
import { MAX_AUDIT_ENTRIES, type EntriesResponse, type TrailResponse } from '../../schemas/audit-api.ts';
import { toBase64 } from '../../src/audit/canonical.ts';
import { entryLeafHash } from '../../src/audit/entry.ts';
import { entrySubjects } from '../../src/audit/subjects.ts';
import type { AuditEntry } from '../../schemas/audit-entry.ts';
import { ApiFailure } from '../api-error.ts';
import type { Station, Store } from '../store/store.ts';
import type { PlantService } from '../sync/plant-service.ts';
import { nodeSha256, type AuditLog } from './audit-log.ts';
import { cleared, currentPlant, programIndex, programOfUnit, programsOfEntry, type ProgramIndex } from './clearance.ts';
import { trailQuery } from './trail-query.ts';

function integer(value: unknown, name: string, min = 0): number {
  const number = typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < min) throw new ApiFailure(400, 'invalid-request', `${name} must be a whole number of at least ${min}`);
  return number;
}

/** The trail subjects of a stored entry (none when its text cannot be read). */
function subjectsOfStored(stored: StoredEntry): string[] {
  try {
    return entrySubjects(JSON.parse(stored.entry) as AuditEntry);
  } catch {
    return [];
  }
}

/** Registers the audit routes on a scope that has authenticated the station (`authenticated` throws otherwise). */
export function registerAuditRoutes(
  app: FastifyInstance,
  options: { store: Store; audit: AuditLog; plant: PlantService; authenticated: (request: FastifyRequest) => Station },
): void {
  const { store, audit, plant } = options;
  const sql = store.sql;
  /** The plant's program index, read after the entries it will classify (see currentPlant). */
  const programs = async (): Promise<ProgramIndex> => programIndex(await currentPlant(plant, store));
  const mayRead = (station: Station, index: ProgramIndex, stored: StoredEntry): boolean => cleared(station, programsOfEntry(index, stored.entry));

  app.get('/api/audit/checkpoint', async (request) => {
    options.authenticated(request);
    const latest = await audit.latestCheckpoint(sql);
    if (latest === null) throw new ApiFailure(404, 'not-found', 'The audit log has no checkpoint yet');
    return latest;
  });

  app.get('/api/audit/checkpoints', async (request) => {
    options.authenticated(request);
    return { checkpoints: await audit.checkpoints(sql) };
  });

  app.get<{ Querystring: Record<string, string> }>('/api/audit/entries', async (request): Promise<EntriesResponse> => {
    const station = options.authenticated(request);
    const start = integer(request.query['start'], 'start');
    const end = integer(request.query['end'] ?? String(start + MAX_AUDIT_ENTRIES), 'end');
    if (end < start) throw new ApiFailure(400, 'invalid-request', 'end must not be below start');
    const entries = await audit.entries(sql, start, Math.min(end, start + MAX_AUDIT_ENTRIES));
    const index = await programs();
    return {
      entries: entries.map((stored) =>
        mayRead(station, index, stored) ? stored : { index: stored.index, leafHash: toBase64(entryLeafHash(stored.entry, nodeSha256)) },
      ),
    };
  });

  app.get<{ Querystring: Record<string, string> }>('/api/audit/proof/inclusion', async (request) => {
    options.authenticated(request);
    const index = integer(request.query['index'], 'index');
    const size = integer(request.query['size'], 'size', 1);
    if (index >= size || size > (await audit.size(sql))) throw new ApiFailure(400, 'invalid-request', `No entry ${index} in a tree of ${size} entries`);
    return { proof: await audit.inclusion(sql, index, size) };
  });

  app.get<{ Querystring: Record<string, string> }>('/api/audit/proof/consistency', async (request) => {
    options.authenticated(request);
    const first = integer(request.query['first'], 'first', 1);
    const second = integer(request.query['second'], 'second', 1);
    if (first > second || second > (await audit.size(sql))) throw new ApiFailure(400, 'invalid-request', `No consistency proof from ${first} to ${second}`);
    return { proof: await audit.consistency(sql, first, second) };
  });

  app.get('/api/audit/keys', async (request) => {
    options.authenticated(request);
    return { keys: await audit.keys(sql) };
  });

  app.get<{ Querystring: Record<string, string> }>('/api/audit/trail', async (request): Promise<TrailResponse> => {
    const station = options.authenticated(request);
    const serial = request.query['serial'];
    const lot = request.query['lot'];
    const q = request.query['q'];
    if (q !== undefined && q.length > 200) throw new ApiFailure(400, 'invalid-request', 'A look-up is at most 200 characters');
    const byQuery = q !== undefined && q.trim() !== '';
    if (!byQuery && (serial === undefined || serial === '') && (lot === undefined || lot === '')) {
      throw new ApiFailure(400, 'invalid-request', 'Name a serial, lot, work order or part (?q=), or a serial (?serial=) or a lot (?lot=)');
    }
    const checkpoint = await audit.latestCheckpoint(sql);
    if (checkpoint === null) throw new ApiFailure(404, 'not-found', 'The audit log has no checkpoint yet');
    // The plant is read again after the entries below (see currentPlant) to classify them.
    const before = programIndex(await currentPlant(plant, store));
    // A subject of a program the station is not cleared for answers as one the plant does not know,
    // with no entries: even that it has a trail is not disclosed.
    const visibleIn = (index: ProgramIndex) => (subject: string) => {
      const program = programOfUnit(index, subject);
      return program === null || station.programs.includes(program);
    };
    let subjects: string[];
    let part: string | undefined;
    if (byQuery) {
      const query = trailQuery(await currentPlant(plant, store), q, visibleIn(before));
      subjects = query.subjects;
      part = query.part;
    } else subjects = [serial !== undefined && serial !== '' ? `serial:${serial}` : `lot:${lot ?? ''}`];
    const indexes = new Set<number>();
    for (const subject of subjects) for (const index of await audit.unitEntries(sql, subject)) indexes.add(index);
    const stored = await Promise.all(
      [...indexes]
        .sort((a, b) => a - b)
        .slice(-MAX_AUDIT_ENTRIES)
        .map(async (index) => {
          const [entry] = await audit.entries(sql, index, index + 1);
          if (entry === undefined) throw new Error(`Audit entry ${index} is missing`);
          return entry;
        }),
    );
    const keys = await audit.keys(sql);
    const programIndexNow = await programs();
    const visible = visibleIn(programIndexNow);
    const hidden = subjects.filter((subject) => !visible(subject));
    const about = hidden.length === 0 ? stored : stored.filter((entry) => subjectsOfStored(entry).some((s) => subjects.includes(s) && visible(s)));
    const readable = about.filter((entry) => mayRead(station, programIndexNow, entry));
    const entries = await Promise.all(
      readable.map(async (entry) => (entry.index < checkpoint.size ? { ...entry, proof: await audit.inclusion(sql, entry.index, checkpoint.size) } : entry)),
    );
    const withheld = hidden.length === 0 ? stored.length - readable.length : about.length - readable.length;
    const answer: TrailResponse = { checkpoint, keys, entries, withheld };
    return byQuery ? { ...answer, subjects, ...(part === undefined ? {} : { part }) } : answer;
  });

  /**
   * The enrollment entry of a station (it records the station's public key), with its inclusion proof
   * at tree size `size` (a trail's checkpoint): the audit screen checks station signatures with it.
   */
  app.get<{ Querystring: Record<string, string> }>('/api/audit/enrollment', async (request) => {
    const caller = options.authenticated(request);
    const station = request.query['station'];
    if (station === undefined || station === '') throw new ApiFailure(400, 'invalid-request', 'Name a station (?station=)');
    const size = integer(request.query['size'], 'size', 1);
    if (size > (await audit.size(sql))) throw new ApiFailure(400, 'invalid-request', `The log has fewer than ${size} entries`);
    const index = await audit.stationEnrollment(sql, station);
    if (index === null) throw new ApiFailure(404, 'not-found', `No enrollment entry names station ${station}`);
    const [entry] = await audit.entries(sql, index, index + 1);
    if (entry === undefined) throw new Error(`Audit entry ${index} is missing`);
    // It lists the programs the station is cleared for: those are other programs' names.
    if (!mayRead(caller, await programs(), entry)) {
      throw new ApiFailure(403, 'forbidden', `The enrollment entry of station ${station} names a program this station is not cleared for; it is withheld`);
    }
    return index < size ? { ...entry, proof: await audit.inclusion(sql, index, size) } : entry;
  });
}
