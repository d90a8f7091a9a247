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

/**
 * The settings document holding when this station last exchanged with the server (a push or a pull
 * answered), so that after a reload the status bar can say since when the server has not been
 * reached.
 */
export const SERVER_CONTACT_ID = 'server-contact';

export interface ServerContact {
  /** ISO time of the last answered request. */
  at: string;
}

export const readServerContact = async (db: StationDb): Promise<string | null> => (await readSetting<ServerContact>(db, SERVER_CONTACT_ID))?.at ?? null;
export const writeServerContact = (db: StationDb, at: string) => writeSetting<ServerContact>(db, SERVER_CONTACT_ID, { at });

export const readStationConfig = (db: StationDb) => readSetting<StationConfig>(db, 'station');
export const writeStationConfig = (db: StationDb, config: StationConfig) => writeSetting(db, 'station', config);

/**
 * The settings document holding what the server says of the plant's policy with each pull: where
 * its MRB decides (MRB_DECIDES; docs/ncr.md, The QMS link). Absent until the first pull of
 * protocol 8, when the station assumes Travelog, as the server does unless told otherwise.
 */
export const PLANT_POLICY_ID = 'plant-policy';

export interface PlantPolicy {
  mrbDecides: 'travelog' | 'qms';
}

export const readPlantPolicy = (db: StationDb) => readSetting<PlantPolicy>(db, PLANT_POLICY_ID);
export const writePlantPolicy = (db: StationDb, policy: PlantPolicy) => writeSetting(db, PLANT_POLICY_ID, policy);
