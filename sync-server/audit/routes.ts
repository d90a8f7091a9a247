/**
 * The audit log over HTTP (docs/audit.md): the latest checkpoint and all of them, entries by range,
 * inclusion and consistency proofs, the server's keys with their validity, and a unit's trail with
 * proofs for the station's audit screen. Behind the station credential like every other route.
 */
import type { FastifyInstance } from 'fastify';
import { MAX_AUDIT_ENTRIES, type TrailResponse } from '../../schemas/audit-api.ts';
import { ApiFailure } from '../api-error.ts';
import type { Store } from '../store/store.ts';
import type { AuditLog } from './audit-log.ts';

function integer(value: unknown, name: string, min = 0): number {
  const number = typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < min) throw new ApiFailure(400, 'invalid-request', `${name} must be a whole number of at least ${min}`);
  return number;
}

/** Registers the audit routes on a scope that has authenticated the station (`authenticated` throws otherwise). */
export function registerAuditRoutes(app: FastifyInstance, options: { store: Store; audit: AuditLog; authenticated: (request: unknown) => void }): void {
  const { store, audit } = options;
  const sql = store.sql;

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

  app.get<{ Querystring: Record<string, string> }>('/api/audit/entries', async (request) => {
    options.authenticated(request);
    const start = integer(request.query['start'], 'start');
    const end = integer(request.query['end'] ?? String(start + MAX_AUDIT_ENTRIES), 'end');
    if (end < start) throw new ApiFailure(400, 'invalid-request', 'end must not be below start');
    return { entries: await audit.entries(sql, start, Math.min(end, start + MAX_AUDIT_ENTRIES)) };
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
    options.authenticated(request);
    const serial = request.query['serial'];
    const lot = request.query['lot'];
    const unit = serial !== undefined && serial !== '' ? `serial:${serial}` : lot !== undefined && lot !== '' ? `lot:${lot}` : null;
    if (unit === null) throw new ApiFailure(400, 'invalid-request', 'Name a serial (?serial=) or a lot (?lot=)');
    const checkpoint = await audit.latestCheckpoint(sql);
    if (checkpoint === null) throw new ApiFailure(404, 'not-found', 'The audit log has no checkpoint yet');
    const indexes = (await audit.unitEntries(sql, unit)).slice(-MAX_AUDIT_ENTRIES);
    const entries = await Promise.all(
      indexes.map(async (index) => {
        const [entry] = await audit.entries(sql, index, index + 1);
        if (entry === undefined) throw new Error(`Audit entry ${index} is missing`);
        return index < checkpoint.size ? { ...entry, proof: await audit.inclusion(sql, index, checkpoint.size) } : entry;
      }),
    );
    return { checkpoint, keys: await audit.keys(sql), entries };
  });

  /**
   * The enrollment entry of a station (it records the station's public key), with its inclusion proof
   * at tree size `size` (a trail's checkpoint): the audit screen checks station signatures with it.
   */
  app.get<{ Querystring: Record<string, string> }>('/api/audit/enrollment', async (request) => {
    options.authenticated(request);
    const station = request.query['station'];
    if (station === undefined || station === '') throw new ApiFailure(400, 'invalid-request', 'Name a station (?station=)');
    const size = integer(request.query['size'], 'size', 1);
    if (size > (await audit.size(sql))) throw new ApiFailure(400, 'invalid-request', `The log has fewer than ${size} entries`);
    const index = await audit.stationEnrollment(sql, station);
    if (index === null) throw new ApiFailure(404, 'not-found', `No enrollment entry names station ${station}`);
    const [entry] = await audit.entries(sql, index, index + 1);
    if (entry === undefined) throw new Error(`Audit entry ${index} is missing`);
    return index < size ? { ...entry, proof: await audit.inclusion(sql, index, size) } : entry;
  });
}
