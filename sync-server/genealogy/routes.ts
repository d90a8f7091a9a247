/**
 * Genealogy over HTTP (docs/genealogy.md): `GET /api/genealogy/where-used` and `/where-from`, by
 * `lot=` or `serial=`, as JSON or (`format=csv`) the recall answer. Behind the station credential. The
 * walks are the shared domain's (src/domain/genealogy.ts) on the server's plant.
 *
 * Program clearance (docs/sync-spec.md S10, S20): a serial or lot of a program the station is not
 * cleared for is left out of a walk with everything beyond it and counted in `withheld`; asked for
 * directly it is answered exactly as one the server does not have (404, the same message), and any
 * identifier of such a program left in the text of the answer reads `(withheld)`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ItemRef, WalkResult } from '../../src/domain/genealogy.ts';
import { recallCsv, whereFrom, whereUsed } from '../../src/domain/genealogy.ts';
import type { PlantState } from '../../src/domain/plant.ts';
import { ApiFailure } from '../api-error.ts';
import type { Station, Store } from '../store/store.ts';
import type { PlantService } from '../sync/plant-service.ts';
import { withholdForeign } from '../sync/program-tokens.ts';
import { currentPlant, programIndex } from '../audit/clearance.ts';

/** Most serials and lots one answer lists; `limit` may ask for fewer. */
export const MAX_GENEALOGY_NODES = 5000;

/** What a query asks for, or the refusal naming the field. */
export function parseGenealogyQuery(query: Record<string, string | undefined>): { ref: ItemRef; format: 'json' | 'csv'; limit: number } {
  const known = new Set(['lot', 'serial', 'format', 'limit']);
  const unknown = Object.keys(query).find((key) => !known.has(key));
  if (unknown !== undefined) throw new ApiFailure(400, 'invalid-request', `${unknown} is not a parameter of a genealogy look-up (lot, serial, format, limit)`);
  const { lot, serial } = query;
  if ((lot === undefined) === (serial === undefined)) throw new ApiFailure(400, 'invalid-request', 'Name exactly one of lot or serial');
  const id = (lot ?? serial ?? '').trim();
  if (id === '' || id.length > 80) throw new ApiFailure(400, 'invalid-request', `${lot === undefined ? 'serial' : 'lot'} must be 1 to 80 characters`);
  const format = query['format'] ?? 'json';
  if (format !== 'json' && format !== 'csv') throw new ApiFailure(400, 'invalid-request', 'format must be json or csv');
  const rawLimit = query['limit'];
  const limit = rawLimit === undefined ? MAX_GENEALOGY_NODES : /^[0-9]{1,5}$/.test(rawLimit) ? Number(rawLimit) : NaN;
  if (!(limit >= 1 && limit <= MAX_GENEALOGY_NODES)) throw new ApiFailure(400, 'invalid-request', `limit must be a whole number from 1 to ${MAX_GENEALOGY_NODES}`);
  return { ref: lot === undefined ? { kind: 'serial', serial: id } : { kind: 'lot', lotId: id }, format, limit };
}

/**
 * The walk a station cleared for `programs` may read, or null where the start is unknown to it (the
 * server does not have it, or it is another program's).
 */
export function genealogyFor(state: PlantState, programs: readonly string[], direction: WalkResult['direction'], ref: ItemRef, limit: number): WalkResult | null {
  const index = programIndex(state);
  const visible = (item: { label: string; producedBy?: { program: string } }): boolean => {
    const program = item.producedBy?.program ?? index.owners.get(item.label);
    return program === undefined || programs.includes(program);
  };
  const walk = direction === 'where-used' ? whereUsed : whereFrom;
  const result = walk(state, ref, { maxNodes: limit, visible });
  if (!result.root.item.known || !visible(result.root.item)) return null;
  return withholdForeign(result, index, programs);
}

/** Registers the genealogy routes on a scope that has authenticated the station. */
export function registerGenealogyRoutes(app: FastifyInstance, options: { store: Store; plant: PlantService; authenticated: (request: FastifyRequest) => Station }): void {
  for (const direction of ['where-used', 'where-from'] as const) {
    app.get<{ Querystring: Record<string, string> }>(`/api/genealogy/${direction}`, async (request, reply) => {
      const station = options.authenticated(request);
      const { ref, format, limit } = parseGenealogyQuery(request.query);
      const state = await currentPlant(options.plant, options.store);
      const result = genealogyFor(state, station.programs, direction, ref, limit);
      if (result === null) throw new ApiFailure(404, 'not-found', `No ${ref.kind} ${ref.kind === 'serial' ? ref.serial : ref.lotId} is known`);
      if (format === 'csv') {
        const name = `${direction}-${(ref.kind === 'serial' ? ref.serial : ref.lotId).replace(/[^A-Za-z0-9._-]/g, '_')}.csv`;
        return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(recallCsv(result));
      }
      return result;
    });
  }
}
