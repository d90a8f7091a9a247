/**
 * A station in the simulation: it records events with the real domain checks against what it knows
 * (the server's views it last pulled plus its own pending events), and talks to the real server over
 * HTTP with the wire protocol of docs/sync-spec.md. It is not a copy of the server: it decides
 * nothing the server decides.
 */
import type { EventPayloads, EventType, StationEvent } from '../../schemas/event.ts';
import type { PullResponse } from '../../schemas/pull.ts';
import type { PushResponse } from '../../schemas/push.ts';
import type { Receipt } from '../../schemas/receipt.ts';
import type { ViewDoc } from '../../schemas/view-doc.ts';
import type { Hlc } from '../../src/domain/hlc.ts';
import type { PlantState } from '../../src/domain/plant.ts';
import { PROTOCOL_VERSION } from '../../schemas/protocol-version.ts';
import { formatHlc, tickHlc } from '../../src/domain/hlc.ts';
import { plantFromViews, reduceEvents } from '../../src/domain/plant.ts';
import type { Random } from './random.ts';
import { eventHashSync, signWith, testKey, type TestKey } from '../helpers/signing.ts';
import { GENESIS_HASH, type KeyAlg } from '../../src/audit/event-signing.ts';

async function post<T>(baseUrl: string, path: string, body: unknown, credential?: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(credential === undefined ? {} : { authorization: `Bearer ${credential}` }) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

/** Enrolls a station with a new key of the given algorithm (a station whose browser lacks Ed25519 uses ECDSA P-256). */
export async function enroll(baseUrl: string, name: string, alg: KeyAlg = 'Ed25519'): Promise<{ stationId: string; credential: string; key: TestKey }> {
  const key = testKey(alg);
  const answer = await post<{ stationId: string; credential: string }>(baseUrl, '/api/stations/enroll', {
    protocolVersion: PROTOCOL_VERSION,
    stationName: name,
    supervisorBadge: 'B-3001',
    pin: '9999',
    publicKey: key.publicKey,
    keyAlg: key.alg,
  });
  if (answer.status !== 201) throw new Error(`enrollment failed: ${JSON.stringify(answer.body)}`);
  return { ...answer.body, key };
}

/** Pulls every view from the beginning, as a new station would. */
export async function pullAll(baseUrl: string, credential: string): Promise<{ views: Map<string, ViewDoc>; receipts: Receipt[]; checkpoint: number }> {
  const views = new Map<string, ViewDoc>();
  const receipts: Receipt[] = [];
  let checkpoint = 0;
  for (;;) {
    const answer = await post<PullResponse>(baseUrl, '/api/sync/pull', { protocolVersion: PROTOCOL_VERSION, checkpoint, limit: 1000 }, credential);
    if (answer.status !== 200) throw new Error(`pull failed: ${JSON.stringify(answer.body)}`);
    for (const doc of answer.body.documents) views.set(doc.id, doc);
    receipts.push(...answer.body.receipts);
    checkpoint = answer.body.checkpoint;
    if (!answer.body.hasMore) return { views, receipts, checkpoint };
  }
}

export class SimStation {
  online = true;
  readonly events: StationEvent[] = [];
  readonly receipts = new Map<string, Receipt>();
  /** Every receipt the server ever gave for an event id, to prove there is exactly one answer per event. */
  readonly receiptHistory = new Map<string, Receipt[]>();
  views = new Map<string, ViewDoc>();
  checkpoint = 0;
  private seq = 0;
  private hlc: Hlc | null = null;
  private lastHash = GENESIS_HASH;

  constructor(
    readonly baseUrl: string,
    readonly stationId: string,
    readonly credential: string,
    private readonly random: Random,
    /** Added to the real clock: a station whose clock is off. */
    readonly clockOffsetMs = 0,
    /** The station's key (made at enrollment); every event is signed and chained as it is recorded. */
    private readonly key: TestKey = testKey(),
    /** The plant's wall clock; the simulation's advances by itself so that a seed replays exactly. */
    private readonly clock: () => number = Date.now,
  ) {}

  now(): Date {
    return new Date(this.clock() + this.clockOffsetMs);
  }

  /** The plant as this station shows it: server views plus its own pending events. */
  plant(): PlantState {
    return reduceEvents(plantFromViews(this.views.values()), this.events.filter((e) => this.isPending(e)));
  }

  isPending(event: StationEvent): boolean {
    const receipt = this.receipts.get(event.id);
    if (receipt === undefined) return true;
    return receipt.outcome !== 'rejected' && receipt.visibleAt > this.checkpoint;
  }

  private newId(): string {
    const hex = (n: number) => Array.from({ length: n }, () => this.random.int(16).toString(16)).join('');
    return `${hex(8)}-${hex(4)}-7${hex(3)}-8${hex(3)}-${hex(12)}`;
  }

  /** Records an event as the station's recorder would; `skipSeq` leaves a gap (an event lost on the device). */
  record<T extends EventType>(type: T, actor: string, payload: EventPayloads[T], options: { skipSeq?: boolean; stationId?: string } = {}): StationEvent {
    if (options.skipSeq === true) this.seq += 1;
    this.seq += 1;
    const at = this.now();
    this.hlc = tickHlc(this.hlc, at.getTime(), this.stationId);
    const event = {
      id: this.newId(),
      type,
      stationId: options.stationId ?? this.stationId,
      seq: this.seq,
      actor,
      deviceTime: at.toISOString(),
      hlc: formatHlc(this.hlc),
      payload,
      prevHash: this.lastHash,
    } as unknown as StationEvent;
    const signed = signWith(this.key, event);
    this.lastHash = eventHashSync(signed);
    this.events.push(signed);
    return signed;
  }

  private remember(receipt: Receipt): void {
    this.receipts.set(receipt.eventId, receipt);
    const history = this.receiptHistory.get(receipt.eventId) ?? [];
    history.push(receipt);
    this.receiptHistory.set(receipt.eventId, history);
  }

  /** Pushes every event without a receipt, in sequence order, in batches. */
  async push(batchSize = 200): Promise<void> {
    const waiting = this.events.filter((e) => !this.receipts.has(e.id));
    for (let i = 0; i < waiting.length; i += batchSize) {
      const batch = waiting.slice(i, i + batchSize);
      const answer = await post<PushResponse>(
        this.baseUrl,
        '/api/sync/push',
        { protocolVersion: PROTOCOL_VERSION, stationId: this.stationId, sentAt: this.now().toISOString(), events: batch },
        this.credential,
      );
      if (answer.status !== 200) throw new Error(`push failed (${answer.status}): ${JSON.stringify(answer.body)}`);
      for (const receipt of answer.body.receipts) this.remember(receipt);
    }
  }

  /** Pushes the same events again, as a station does when an answer was lost. */
  async pushAgain(count: number): Promise<Receipt[]> {
    const again = this.events.filter((e) => this.receipts.has(e.id)).slice(-count);
    if (again.length === 0) return [];
    const answer = await post<PushResponse>(
      this.baseUrl,
      '/api/sync/push',
      { protocolVersion: PROTOCOL_VERSION, stationId: this.stationId, sentAt: this.now().toISOString(), events: again },
      this.credential,
    );
    if (answer.status !== 200) throw new Error(`re-push failed (${answer.status}): ${JSON.stringify(answer.body)}`);
    return answer.body.receipts;
  }

  async pull(): Promise<void> {
    for (;;) {
      const answer = await post<PullResponse>(this.baseUrl, '/api/sync/pull', { protocolVersion: PROTOCOL_VERSION, checkpoint: this.checkpoint, limit: 500 }, this.credential);
      if (answer.status !== 200) throw new Error(`pull failed (${answer.status}): ${JSON.stringify(answer.body)}`);
      for (const doc of answer.body.documents) this.views.set(doc.id, doc);
      for (const receipt of answer.body.receipts) {
        const known = this.receipts.get(receipt.eventId);
        if (known === undefined) this.remember(receipt);
      }
      this.checkpoint = answer.body.checkpoint;
      if (!answer.body.hasMore) return;
    }
  }
}
