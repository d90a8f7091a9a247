/**
 * Station administration over HTTP, behind the station credential: the list of enrolled stations,
 * revocation and the change of a station's programs, each under a supervisor's or quality
 * engineer's e-signature (docs/sync-spec.md S19, S22). Enrollment itself is registered in app.ts,
 * since it carries its own authentication.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { programsRequestSchema, revokeRequestSchema, type ProgramsRequest, type RevokeRequest, type StationListResponse } from '../../schemas/stations.ts';
import { currentPlant, programIndex } from '../audit/clearance.ts';
import { fleetOf, readFleet } from '../ops/fleet.ts';
import type { Station } from '../store/store.ts';
import { withholdForeign } from '../sync/program-tokens.ts';
import type { PlantService } from '../sync/plant-service.ts';
import { changeStationPrograms, type ProgramsContext } from './programs.ts';
import { revokeStation, stationSummary, type RevokeContext } from './revoke.ts';

/** Options of {@link registerStationRoutes}. */
export interface StationRoutesOptions extends RevokeContext, ProgramsContext {
  /** The authenticated station of a request; throws a 401 otherwise. */
  authenticated: (request: FastifyRequest) => Station;
  /** Checks `protocolVersion` before the body's schema (app.ts), so an old station is told to update. */
  protocolFirst: (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => void;
  /** The plant, to withhold from a station's report anything of a program the caller is not cleared for (S20). */
  plant: PlantService;
  /** STATION_SILENT_AFTER: a station silent longer than this with pending events is flagged in the list. */
  stationSilentAfterMs: number;
}

/** Registers the routes on a scope that has authenticated the station. */
export function registerStationRoutes(app: FastifyInstance, options: StationRoutesOptions): void {
  app.get('/api/stations', async (request): Promise<StationListResponse> => {
    const self = options.authenticated(request);
    const [stations, fleet] = await Promise.all([options.store.listStations(), readFleet(options.store.sql)]);
    const byId = new Map(fleet.map((row) => [row.id, row]));
    const now = options.now();
    // A report names only a work center of the plant and numbers (fleet.ts); withheld here as well,
    // so no later field of a report can carry another program's identifier to this station.
    const index = programIndex(await currentPlant(options.plant, options.store));
    return {
      stations: stations.map((station) => ({
        ...stationSummary(station, self),
        fleet: withholdForeign(fleetOf(byId.get(station.id), now, options.stationSilentAfterMs), index, self.programs),
      })),
      self: self.id,
      clearable: [...self.programs].sort(),
      silentAfterSeconds: Math.max(1, Math.round(options.stationSilentAfterMs / 1000)),
    };
  });

  app.post<{ Params: { stationId: string }; Body: RevokeRequest }>(
    '/api/stations/:stationId/revoke',
    { schema: { body: revokeRequestSchema }, preValidation: options.protocolFirst },
    async (request) => revokeStation(options, options.authenticated(request), request.params.stationId, request.body),
  );

  app.post<{ Params: { stationId: string }; Body: ProgramsRequest }>(
    '/api/stations/:stationId/programs',
    { schema: { body: programsRequestSchema }, preValidation: options.protocolFirst },
    async (request) => changeStationPrograms(options, options.authenticated(request), request.params.stationId, request.body),
  );
}
