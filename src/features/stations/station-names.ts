/**
 * The names of the plant's stations, for screens that would otherwise show a station's id
 * (conflicts, quarantine). The server keeps the list (`GET /api/stations`); the station keeps the
 * names it has learned from it in the setting `station-names`, so that they are there offline. A
 * name once learned stays: a station revoked, or no longer listed, still made the records that
 * name it. The station's own name is in its configuration, so it is always known.
 */
import { useEffect, useMemo, useState } from 'react';
import type { StationListResponse } from '../../../schemas/stations.ts';
import type { StationDb } from '../../db/database.ts';
import type { StationConfig } from '../../db/settings.ts';
import { readSetting, writeSetting } from '../../db/settings.ts';
import type { StationRuntime } from '../../station/runtime.ts';
import type { Transport } from '../../sync/transport.ts';

/** The settings document that keeps the names. */
export const STATION_NAMES_SETTING = 'station-names';

/** Station id → the name it was enrolled under. */
export type StationNames = ReadonlyMap<string, string>;

interface KeptStationNames {
  names: Record<string, string>;
}

/** The name of a station, or its id when this station has never learned the name. */
export function stationName(names: StationNames, stationId: string): string {
  return names.get(stationId) ?? stationId;
}

/** The names kept on this station; none if none were kept or the settings cannot be read. */
export async function readStationNames(db: StationDb): Promise<Map<string, string>> {
  try {
    const kept = await readSetting<KeptStationNames>(db, STATION_NAMES_SETTING);
    return new Map(Object.entries(kept?.names ?? {}));
  } catch {
    return new Map();
  }
}

/**
 * Adds the names of a station list to those kept and returns them all. Keeping them is only a
 * saving for offline: a write that fails (storage full) is let go, and tried again with the next
 * list that brings a name not kept yet. Never throws.
 */
export async function keepStationNames(db: StationDb, list: StationListResponse): Promise<Map<string, string>> {
  const names = await readStationNames(db);
  const learned = list.stations.filter((station) => names.get(station.id) !== station.name);
  if (learned.length === 0) return names;
  for (const station of learned) names.set(station.id, station.name);
  try {
    await writeSetting<KeptStationNames>(db, STATION_NAMES_SETTING, { names: Object.fromEntries(names) });
  } catch {
    // Shown from memory this time; the list next time brings the same names to write.
  }
  return names;
}

/** Where {@link loadStationNames} reads, asks and writes. */
export interface StationNamesSource {
  db: StationDb;
  transport: Transport;
  credential: string;
}

/**
 * Hands `show` the names kept on this station as soon as they are read, then, if the server
 * answers, the names with its list added (and kept). Nothing waits on the network: offline, or if
 * the server refuses, `show` has the kept names and is not called again. Never throws; after
 * `signal` aborts, `show` is not called.
 */
export async function loadStationNames(source: StationNamesSource, show: (names: StationNames) => void, signal?: AbortSignal): Promise<void> {
  const asking = source.transport
    .get<StationListResponse>('/api/stations', source.credential, signal === undefined ? {} : { signal })
    .then((list) => keepStationNames(source.db, list))
    .catch(() => null);
  const stopped = () => signal?.aborted === true;
  const kept = await readStationNames(source.db);
  if (stopped()) return;
  show(kept);
  const fetched = await asking;
  if (fetched !== null && !stopped()) show(fetched);
}

/**
 * The names of the plant's stations for a screen: those kept on this station at once, the
 * server's list when it answers (asked each time the screen is shown and when the browser comes
 * back online), and this station's own name always.
 */
export function useStationNames(rt: StationRuntime, config: StationConfig): StationNames {
  const [learned, setLearned] = useState<StationNames>(() => new Map());
  const { credential } = config;

  useEffect(() => {
    const stop = new AbortController();
    const load = () => void loadStationNames({ db: rt.db, transport: rt.transport, credential }, setLearned, stop.signal);
    load();
    window.addEventListener('online', load);
    return () => {
      stop.abort();
      window.removeEventListener('online', load);
    };
  }, [rt, credential]);

  return useMemo(() => new Map([...learned, [config.stationId, config.stationName]]), [learned, config.stationId, config.stationName]);
}
