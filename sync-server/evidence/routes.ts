/**
 * `GET /api/evidence?serial=…|lot=…|workOrder=…` (docs/evidence.md), behind the station credential:
 * the evidence package of one serial, lot or work order (./package.ts). Program clearance (S20): a
 * unit of a program the station is not cleared for is answered exactly as one that does not exist.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EvidencePackage, EvidenceQuery } from '../../schemas/evidence.ts';
import { ApiFailure } from '../api-error.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { currentPlant, programIndex } from '../audit/clearance.ts';
import type { Station, Store } from '../store/store.ts';
import type { PlantService } from '../sync/plant-service.ts';
import { plantGenealogy, type GenealogySource } from './genealogy-source.ts';
import { buildEvidence } from './package.ts';

const KINDS = { serial: 'serial', lot: 'lot', workOrder: 'work order' } as const;

/** The query an evidence request names: exactly one of serial, lot and workOrder, a plain identifier. */
export function evidenceQuery(query: Record<string, string | undefined>): EvidenceQuery {
  const named = (Object.keys(KINDS) as Array<keyof typeof KINDS>).filter((kind) => query[kind] !== undefined);
  if (named.length !== 1) throw new ApiFailure(400, 'invalid-request', 'Name one serial (?serial=), lot (?lot=) or work order (?workOrder=)');
  const kind = named[0] as keyof typeof KINDS;
  const id = (query[kind] ?? '').trim();
  // eslint-disable-next-line no-control-regex
  if (id === '' || id.length > 80 || /[\u0000-\u001f\u007f]/.test(id)) {
    throw new ApiFailure(400, 'invalid-request', `A ${KINDS[kind]} is 1 to 80 characters, without control characters`);
  }
  return { kind, id };
}

/** The answer for a query that names nothing the station may see: the same for unknown and withheld. */
export function notFound(query: EvidenceQuery): ApiFailure {
  return new ApiFailure(404, 'not-found', `Nothing is recorded about ${KINDS[query.kind]} ${query.id}`);
}

/** Registers the route on a scope that has authenticated the station. */
export function registerEvidenceRoutes(
  app: FastifyInstance,
  options: { store: Store; audit: AuditLog; plant: PlantService; now: () => Date; authenticated: (request: FastifyRequest) => Station; genealogy?: GenealogySource },
): void {
  const { store, audit, plant, now } = options;
  app.get<{ Querystring: Record<string, string> }>('/api/evidence', async (request): Promise<EvidencePackage> => {
    const station = options.authenticated(request);
    const query = evidenceQuery(request.query);
    // Read the log's head first: the plant read after it is at least as new as every entry cited.
    const checkpoint = await audit.latestCheckpoint(store.sql);
    const state = await currentPlant(plant, store);
    const found = await buildEvidence(query, {
      sql: store.sql,
      audit,
      plant: state,
      programs: programIndex(state),
      cleared: station.programs,
      genealogy: options.genealogy ?? plantGenealogy(() => state),
      key: audit.key(),
      now,
      checkpoint,
    });
    if (found === null) throw notFound(query);
    return found;
  });
}
