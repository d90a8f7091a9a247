/**
 * The fleet (docs/operations.md): when each station last pushed or pulled. Recorded after the
 * answer is sent, so a station never waits for it; a failure to record is logged, not answered.
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/store.ts';

/** The routes whose calls count as a station being seen. */
const SEEN_ON = new Set(['/api/sync/push', '/api/sync/pull']);

/** Records last-seen times of stations that push or pull. */
export function registerFleetHooks(app: FastifyInstance, options: { store: Store; now: () => Date }): void {
  app.addHook('onResponse', async (request) => {
    const station = request.station;
    if (station === null || !SEEN_ON.has(request.url.split('?')[0] ?? '')) return;
    try {
      await options.store.sql.query('UPDATE stations SET last_seen_at = $2::timestamptz WHERE id = $1', [station.id, options.now().toISOString()]);
    } catch (error) {
      request.log.warn({ err: error }, 'could not record when the station was last seen');
    }
  });
}
