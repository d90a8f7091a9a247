/**
 * The station's database: RxDB on Dexie (IndexedDB). Four collections only, because RxDB's
 * open-core Dexie storage opens at most 13 across the page (error COL23): the events this station
 * recorded, the server's receipts for them, the server's views keyed by kind, and station-local
 * settings.
 */
import type { RxCollection, RxDatabase } from 'rxdb';
import { addRxPlugin, createRxDatabase } from 'rxdb/plugins/core';
import { RxDBMigrationSchemaPlugin } from 'rxdb/plugins/migration-schema';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import type { ReceiptDoc } from '../../schemas/receipt-doc.ts';
import type { SettingDoc } from '../../schemas/setting.ts';
import type { StationEvent } from '../../schemas/event.ts';
import type { ViewDoc } from '../../schemas/view-doc.ts';
import { eventSchema } from '../../schemas/event.ts';
import { receiptDocSchema } from '../../schemas/receipt-doc.ts';
import { settingDocSchema } from '../../schemas/setting.ts';
import { viewDocSchema } from '../../schemas/view-doc.ts';
import { startMark } from './start-marks.ts';
import { wrappedValidatePrecompiledStorage } from './validators.ts';

/**
 * Events and views as stored: payload and data loosely typed, because RxDB's document types cannot
 * carry the discriminated unions of schemas/ (the compiler gives up). Read them through
 * {@link asEvent} and {@link asView}, which restore the precise types.
 */
export interface StoredEvent {
  id: string;
  type: string;
  stationId: string;
  seq: number;
  actor: string;
  deviceTime: string;
  hlc: string;
  payload: Record<string, unknown>;
  prevHash: string;
  keyAlg?: string;
  signature: string;
}

export interface StoredView {
  id: string;
  kind: string;
  key: string;
  serverSeq: number;
  data: Record<string, unknown>;
}

/** Documents reach the collections only after validation against schemas/, so the cast holds. */
export const asEvent = (doc: { toMutableJSON(): StoredEvent }): StationEvent => doc.toMutableJSON() as unknown as StationEvent;
export const asView = (doc: { toMutableJSON(): StoredView }): ViewDoc => doc.toMutableJSON() as unknown as ViewDoc;

/** A receipt as stored; see schemas/receipt-doc.ts. */
export type StoredReceipt = ReceiptDoc;

export interface StationCollections {
  events: RxCollection<StoredEvent>;
  receipts: RxCollection<StoredReceipt>;
  views: RxCollection<StoredView>;
  settings: RxCollection<SettingDoc>;
}

export type StationDb = RxDatabase<StationCollections>;

export interface StationDbOptions {
  name?: string;
  /** An IndexedDB implementation; tests pass a fresh fake-indexeddb `IDBFactory`. */
  indexedDB?: IDBFactory;
  IDBKeyRange?: typeof IDBKeyRange;
}

export const DEFAULT_DB_NAME = 'travelog';

/**
 * Marks events recorded before stations signed (schema version 0): they keep their place and are
 * never deleted, and the server refuses them as unsigned (security:bad-signature).
 */
const UNSIGNED = 'unsigned-before-protocol-3';

addRxPlugin(RxDBMigrationSchemaPlugin);

const COLLECTIONS = {
  events: {
    schema: eventSchema,
    migrationStrategies: { 1: (doc: StoredEvent) => ({ ...doc, prevHash: '0'.repeat(64), signature: UNSIGNED }) },
  },
  receipts: { schema: receiptDocSchema },
  views: { schema: viewDocSchema },
  settings: { schema: settingDocSchema },
};

export async function openStationDb(options: StationDbOptions = {}): Promise<StationDb> {
  startMark('db-open');
  const storage = wrappedValidatePrecompiledStorage({
    // Every document of these is checked against its schema; RxDB's own stores are not (validators.ts).
    checked: Object.keys(COLLECTIONS),
    storage: getRxStorageDexie({
      // Chrome commits IndexedDB with relaxed durability by default: an event acknowledged to the
      // operator could vanish in a power cut. Strict waits for the disk.
      chromeTransactionDurability: 'strict',
      ...(options.indexedDB === undefined ? {} : { indexedDB: options.indexedDB }),
      ...(options.IDBKeyRange === undefined ? {} : { IDBKeyRange: options.IDBKeyRange }),
    }),
  });
  const db = await createRxDatabase<StationCollections>({
    name: options.name ?? DEFAULT_DB_NAME,
    storage,
    multiInstance: true,
    eventReduce: true,
    closeDuplicates: true,
  });
  startMark('db-created');
  await db.addCollections(COLLECTIONS);
  startMark('db-collections-added');
  return db;
}
