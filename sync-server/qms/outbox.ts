/**
 * The QMS link, out (docs/ncr.md, *The QMS link*): every NCR view the server writes becomes one
 * webhook delivery in a durable outbox table (`qms_outbox`, both stores), posted to the QMS as JSON
 * signed with HMAC-SHA256, retried with backoff until the QMS answers 2xx.
 *
 * The outbox is fed from the views table, not from the push path: `enqueue` takes every
 * `nonconformance` view with a server sequence above `qms_cursor` and writes one row per view, in one
 * transaction with the cursor, so a crash between the two writes neither loses nor doubles a
 * delivery. A delivery's id is `<ncrId>@<serverSeq>`: the receiver de-duplicates on it. Two changes
 * to one NCR committed before the next `enqueue` are one delivery with the newer state (the view
 * keeps only the newest); the receiver orders by `serverSeq`.
 */
import { createHmac } from 'node:crypto';
import type { Nonconformance } from '../../schemas/nonconformance.ts';
import { shortNcrId } from '../../src/domain/short-id.ts';
import type { SqlClient } from '../store/sql-client.ts';

/** Where and how the webhooks go (QMS_WEBHOOK_URL, QMS_WEBHOOK_SECRET). */
export interface WebhookTarget {
  url: string;
  /** The HMAC key plant IT configured; never logged, never in a body or an error. */
  secret: string;
  /** How long one POST may take; 10 s unless given. */
  timeoutMs?: number;
}

/** The body of one webhook. */
export interface WebhookBody {
  /** The delivery's id, also in `X-Travelog-Delivery`: the same on every retry. */
  deliveryId: string;
  /** `ncr.opened` for the first delivery about an NCR, `ncr.changed` for the others. */
  type: 'ncr.opened' | 'ncr.changed';
  /** The server sequence of the NCR's state below; a higher one is newer. */
  serverSeq: number;
  /** The NCR's short id, as people on the floor say it. */
  ncrShortId: string;
  /** The NCR as the server keeps it (schemas/nonconformance.ts). */
  ncr: Nonconformance;
}

/** Seconds before each retry: 30 s, doubling, at most an hour; never given up (the depth and age show in /metrics). */
export function retryDelayMs(attempts: number): number {
  const base = 30_000 * 2 ** Math.max(0, attempts - 1);
  return Math.min(base, 60 * 60 * 1000);
}

/** The `X-Travelog-Signature` value: `sha256=` and the hex HMAC-SHA256 of `<timestamp>.<body>` under the secret. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

interface OutboxRow {
  id: string;
  body: string;
  attempts: number;
}

export interface OutboxStats {
  /** Deliveries not yet acknowledged. */
  depth: number;
  /** Age in seconds of the oldest of them (0 when none). */
  oldestAgeSeconds: number;
}

export interface DeliveryRound {
  delivered: number;
  failed: number;
}

/** Options of {@link createOutbox}. */
export interface OutboxOptions {
  sql: SqlClient;
  now: () => Date;
  target: WebhookTarget;
  /** Told of a failed attempt (never with the secret). */
  onFailure?: (deliveryId: string, error: string) => void;
}

export interface Outbox {
  /** Puts every NCR view written since the last call into the outbox; returns how many. */
  enqueue(): Promise<number>;
  /** Enqueues, then posts every delivery that is due (oldest first); one round at a time. */
  runOnce(): Promise<DeliveryRound>;
  stats(): Promise<OutboxStats>;
}

const BATCH = 200;

export function createOutbox(options: OutboxOptions): Outbox {
  const { sql, now, target } = options;
  const timeoutMs = target.timeoutMs ?? 10_000;
  let running: Promise<DeliveryRound> | null = null;

  async function enqueue(): Promise<number> {
    let total = 0;
    for (;;) {
      const added = await sql.transaction(async (tx) => {
        // FOR UPDATE: two server processes on one PostgreSQL take turns.
        const [cursor] = await tx.query<{ server_seq: string | number }>('SELECT server_seq FROM qms_cursor WHERE id = 1 FOR UPDATE');
        const after = Number(cursor?.server_seq ?? 0);
        const views = await tx.query<{ key: string; data: Nonconformance | string; server_seq: string | number }>(
          "SELECT key, data, server_seq FROM views WHERE kind = 'nonconformance' AND server_seq > $1 ORDER BY server_seq LIMIT " + BATCH,
          [after],
        );
        if (views.length === 0) return 0;
        const at = now().toISOString();
        for (const view of views) {
          const ncr = (typeof view.data === 'string' ? JSON.parse(view.data) : view.data) as Nonconformance;
          const serverSeq = Number(view.server_seq);
          const earlier = await tx.query<{ n: string | number }>('SELECT count(*) AS n FROM qms_outbox WHERE ncr_id = $1', [view.key]);
          const body: WebhookBody = {
            deliveryId: `${view.key}@${serverSeq}`,
            type: Number(earlier[0]?.n ?? 0) === 0 ? 'ncr.opened' : 'ncr.changed',
            serverSeq,
            ncrShortId: shortNcrId(ncr.ncrId, ncr.openedAt),
            ncr,
          };
          await tx.query(
            'INSERT INTO qms_outbox (id, ncr_id, server_seq, body, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (id) DO NOTHING',
            [body.deliveryId, view.key, serverSeq, JSON.stringify(body), at],
          );
        }
        await tx.query('UPDATE qms_cursor SET server_seq = $1 WHERE id = 1', [Number(views.at(-1)?.server_seq ?? after)]);
        return views.length;
      });
      total += added;
      if (added < BATCH) return total;
    }
  }

  async function post(row: OutboxRow): Promise<string | null> {
    const timestamp = String(Math.floor(now().getTime() / 1000));
    try {
      const response = await fetch(target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-travelog-delivery': row.id,
          'x-travelog-timestamp': timestamp,
          'x-travelog-signature': webhookSignature(target.secret, timestamp, row.body),
        },
        body: row.body,
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'manual',
      });
      // The answer's body is not read beyond draining it; only the status counts.
      await response.arrayBuffer().catch(() => undefined);
      return response.status >= 200 && response.status < 300 ? null : `HTTP ${response.status}`;
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`;
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return cause === undefined ? 'could not reach the QMS' : `could not reach the QMS (${cause})`;
    }
  }

  async function round(): Promise<DeliveryRound> {
    await enqueue();
    const at = now();
    const due = await sql.query<OutboxRow>(
      'SELECT id, body, attempts FROM qms_outbox WHERE delivered_at IS NULL AND next_attempt_at <= $1 ORDER BY server_seq LIMIT ' + BATCH,
      [at.toISOString()],
    );
    const result: DeliveryRound = { delivered: 0, failed: 0 };
    for (const row of due) {
      const error = await post(row);
      const attempts = Number(row.attempts) + 1;
      if (error === null) {
        await sql.query('UPDATE qms_outbox SET delivered_at = $2, attempts = $3, last_error = NULL WHERE id = $1', [row.id, now().toISOString(), attempts]);
        result.delivered++;
        continue;
      }
      const next = new Date(now().getTime() + retryDelayMs(attempts));
      await sql.query('UPDATE qms_outbox SET attempts = $2, next_attempt_at = $3, last_error = $4 WHERE id = $1', [row.id, attempts, next.toISOString(), error]);
      options.onFailure?.(row.id, error);
      result.failed++;
      // The QMS is down or refusing: the rest waits for the next round rather than hammering it.
      break;
    }
    return result;
  }

  return {
    enqueue,
    runOnce() {
      const previous = running ?? Promise.resolve<DeliveryRound>({ delivered: 0, failed: 0 });
      const next = previous.catch(() => undefined).then(round);
      running = next;
      void next.finally(() => {
        if (running === next) running = null;
      }).catch(() => undefined);
      return next;
    },
    async stats() {
      const [row] = await sql.query<{ n: string | number; oldest: string | Date | null }>(
        'SELECT count(*) AS n, min(created_at) AS oldest FROM qms_outbox WHERE delivered_at IS NULL',
      );
      const depth = Number(row?.n ?? 0);
      const oldest = row?.oldest ?? null;
      const oldestAgeSeconds = oldest === null ? 0 : Math.max(0, Math.round((now().getTime() - new Date(oldest).getTime()) / 1000));
      return { depth, oldestAgeSeconds };
    },
  };
}
