/**
 * How many stations are silent with events not yet on the server (docs/sync-spec.md S24), for the
 * header's Stations link: a supervisor sees it from any screen, not only when opening Stations.
 * Asked of the server when the header appears and every minute after; offline, the last count stays.
 */
import { useEffect, useState } from 'react';
import type { StationListResponse } from '../../../schemas/stations.ts';
import { useStation } from '../../app/station-context.ts';

/** How often the header asks again. */
export const SILENT_STATIONS_EVERY_MS = 60_000;

/** Active stations the server flags silent with pending events. */
export function silentStations(list: StationListResponse): number {
  return list.stations.filter((station) => station.revokedAt === null && station.fleet?.silentWithPending === true).length;
}

/** The count, asked for only while `enabled` (the roles that look after stations); 0 otherwise. */
export function useSilentStations(enabled: boolean): number {
  const { rt, config } = useStation();
  const [count, setCount] = useState(0);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    const ask = () => {
      rt.transport.get<StationListResponse>('/api/stations', config.credential).then(
        (list) => {
          if (live) setCount(silentStations(list));
        },
        () => undefined,
      );
    };
    ask();
    const timer = window.setInterval(ask, SILENT_STATIONS_EVERY_MS);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, [rt, config.credential, enabled]);
  return enabled ? count : 0;
}
