/** Typed access to the station-local settings collection. */
import type { StationDb } from './database.ts';

/** The station's identity after enrollment and the work center it is set to. */
export interface StationConfig {
  stationId: string;
  stationName: string;
  credential: string;
  /** Empty until a work center is chosen. */
  workCenterId: string;
  /** Minutes without a touch before the signed-in person is signed out. */
  idleMinutes: number;
  /** How this station's scanners type; defaults apply when absent. */
  scanner?: ScannerSettings;
}

/** How the station's keyboard-wedge scanners are set up. */
export interface ScannerSettings {
  /** Longest gap between keystrokes of one scan, in ms: scanners send 1–15 ms, people type slower. */
  maxGapMs: number;
  /** What the scanners send in place of the GS control character (e.g. `|`), or '' for none. */
  gsSubstitute: string;
}

export const DEFAULT_IDLE_MINUTES = 10;

export async function readSetting<T>(db: StationDb, id: string): Promise<T | null> {
  const doc = await db.settings.findOne(id).exec();
  return doc === null ? null : (doc.toJSON().data as T);
}

export async function writeSetting<T extends object>(db: StationDb, id: string, data: T): Promise<void> {
  await db.settings.upsert({ id, data: data as Record<string, unknown> });
}

export const readStationConfig = (db: StationDb) => readSetting<StationConfig>(db, 'station');
export const writeStationConfig = (db: StationDb, config: StationConfig) => writeSetting(db, 'station', config);
