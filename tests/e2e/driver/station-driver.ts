/**
 * Runs inside the page under test (bundled by tests/e2e/driver/driver.ts and added as a script
 * tag): opens the station's own runtime on the same IndexedDB as the app, as a second tab would,
 * and records events through the station's real recorder, thousands at a time where clicking
 * through the screens would take minutes. It never starts sync: the app's tabs do that.
 */
import type { ReceiptDoc } from '../../../schemas/receipt-doc.ts';
import type { StoredEvent } from '../../../src/db/database.ts';
import { readPullCheckpoint } from '../../../src/db/receipts.ts';
import type { StationRuntime } from '../../../src/station/runtime.ts';
import { openStationRuntime } from '../../../src/station/runtime.ts';

/** What a test sees of the driver through `page.evaluate`. */
export interface StationDriver {
  /** Records `count` sign-in/sign-out events of `badge` at the station's work center; returns their ids. */
  recordSessions(count: number, badge: string): Promise<string[]>;
  /**
   * Writes `count` copies of the station's last recorded event under new ids and sequence numbers,
   * straight into the collection (no recorder, no signatures): a store that already holds a long
   * history, for benchmarks that must not wait for it. Never pushed to a server.
   */
  seedHistory(count: number): Promise<void>;
  /**
   * Like {@link StationDriver.seedHistory}, but a history of work rather than copies of one event:
   * `count` events that start `at`'s operation on synthetic serials (`SN-SEED-<n>`), build a unit of
   * `at.lotId` in and complete it, in turn, so the plant the station folds them into holds a third as
   * many steps and consumptions (what a busy station's store looks like). Unsigned, never pushed:
   * keep the station offline.
   */
  seedWork(count: number, at: SeedWorkAt): Promise<void>;
  /**
   * Stores an accepted receipt, visible at the station's pull checkpoint, for every event without
   * one: a history the server took long ago (its views are not changed to match). For benchmarks of
   * a station whose store is mostly settled; returns how many receipts it wrote.
   */
  settleAll(): Promise<number>;
  /** Events of this station, in sequence order. */
  events(): Promise<Array<Pick<StoredEvent, 'id' | 'seq' | 'hlc' | 'deviceTime' | 'type'>>>;
  /** Receipts the station holds, by event id. */
  receipts(): Promise<Record<string, { outcome: string; flags: string[]; serverSeq: number }>>;
  /** The id the station was enrolled as. */
  stationId(): string;
  /** The station's credential, for a test that reads the audit log as the station does (audit:verify). */
  credential(): string;
  close(): Promise<void>;
}

/** Where {@link StationDriver.seedWork} puts its work. */
export interface SeedWorkAt {
  workOrderId: string;
  operationId: string;
  lotId: string;
  partNumber: string;
}

declare global {
  interface Window {
    /** Set by this test-only script; the app never reads it. */
    travelogDriver?: Promise<StationDriver>;
  }
}

/**
 * Writes `count` events after the station's last one, straight into the collection (no recorder,
 * no signatures), each `make` of the last event under a new id and the next sequence number.
 */
async function seedAfterLast(rt: StationRuntime, count: number, make: (template: StoredEvent, index: number) => StoredEvent): Promise<void> {
  const last = await rt.db.events.findOne({ selector: {}, sort: [{ seq: 'desc' }] }).exec();
  if (last === null) throw new Error('Record one event before seeding a history');
  const template = last.toMutableJSON();
  const chunk = 5000;
  for (let done = 0; done < count; done += chunk) {
    const docs: StoredEvent[] = [];
    for (let i = done; i < Math.min(count, done + chunk); i++) {
      const seq = template.seq + 1 + i;
      docs.push({ ...make(template, i), id: `01900000-0000-7000-8000-${seq.toString(16).padStart(12, '0')}`, seq });
    }
    await rt.db.events.bulkInsert(docs);
  }
}

async function openDriver(): Promise<StationDriver> {
  const rt: StationRuntime = await openStationRuntime({ baseUrl: location.origin });
  const config = rt.config;
  if (config === null) throw new Error('The station is not enrolled yet');
  return {
    async recordSessions(count, badge) {
      const ids: string[] = [];
      const recorder = rt.recorder();
      for (let i = 0; i < count; i++) {
        const event =
          i % 2 === 0
            ? await recorder.record({ type: 'session.signed-in', actor: badge, payload: { workCenterId: config.workCenterId } })
            : await recorder.record({ type: 'session.signed-out', actor: badge, payload: { workCenterId: config.workCenterId, cause: 'manual' } });
        ids.push(event.id);
      }
      return ids;
    },
    seedHistory: (count) => seedAfterLast(rt, count, (template) => template),
    seedWork: (count, at) =>
      seedAfterLast(rt, count, (template, i) => {
        const unit = { kind: 'serial', serial: `SN-SEED-${Math.floor(i / 3)}` };
        const step = { workOrderId: at.workOrderId, operationId: at.operationId, unit };
        const payload =
          i % 3 === 1
            ? { ...step, material: { kind: 'lot', lotId: at.lotId, partNumber: at.partNumber, quantity: 1 }, scanned: at.lotId }
            : { ...step, instructionRevision: 'D' };
        const type = i % 3 === 0 ? 'op.started' : i % 3 === 1 ? 'material.consumed' : 'op.completed';
        return { ...template, type, payload };
      }),
    async settleAll() {
      const checkpoint = (await readPullCheckpoint(rt.db)).serverSeq;
      if (checkpoint === 0) throw new Error('The station has pulled nothing yet');
      const answered = new Set((await rt.db.receipts.find().exec()).map((doc) => doc.eventId));
      const docs = (await rt.db.events.find({ selector: {}, sort: [{ seq: 'asc' }] }).exec())
        .filter((doc) => !answered.has(doc.id))
        .map((doc, i): ReceiptDoc => ({ eventId: doc.id, outcome: 'accepted', flags: [], serverSeq: i + 1, visibleAt: checkpoint, receivedAt: new Date().toISOString(), origin: 'receipt' }));
      for (let done = 0; done < docs.length; done += 5000) await rt.db.receipts.bulkInsert(docs.slice(done, done + 5000));
      return docs.length;
    },
    async events() {
      const docs = await rt.db.events.find({ selector: {}, sort: [{ seq: 'asc' }] }).exec();
      return docs.map((d) => ({ id: d.id, seq: d.seq, hlc: d.hlc, deviceTime: d.deviceTime, type: d.type }));
    },
    async receipts() {
      const docs = await rt.db.receipts.find().exec();
      return Object.fromEntries(docs.map((d) => [d.eventId, { outcome: d.outcome, flags: [...d.flags], serverSeq: d.serverSeq }]));
    },
    stationId: () => config.stationId,
    credential: () => config.credential,
    close: () => rt.close(),
  };
}

window.travelogDriver = openDriver();
