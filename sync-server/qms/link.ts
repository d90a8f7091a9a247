/**
 * The QMS link as the server runs it (docs/ncr.md, *The QMS link*): where MRB decides, the webhook
 * outbox and its timer, its depth and age in `/metrics`, and the routes (routes.ts).
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { Gauge } from 'prom-client';
import type { Metrics } from '../ops/monitoring.ts';
import type { Store } from '../store/store.ts';
import type { PlantService } from '../sync/plant-service.ts';
import { createOutbox, type DeliveryRound, type Outbox, type WebhookTarget } from './outbox.ts';
import { registerQmsRoutes, type MrbDecides } from './routes.ts';

/** What plant IT configures (MRB_DECIDES, QMS_WEBHOOK_URL, QMS_WEBHOOK_SECRET, QMS_WEBHOOK_TIMEOUT). */
export interface QmsLinkOptions {
  /** `travelog` unless given. */
  mrbDecides?: MrbDecides;
  /** Where NCR webhooks go; none are sent (and the outbox stays empty) unless given. */
  webhook?: WebhookTarget;
  /** How often the outbox is worked when nothing wakes it; 5 s unless given, 0 for never (tests call runOnce). */
  pollMs?: number;
}

export interface QmsLink {
  readonly mrbDecides: MrbDecides;
  /** The outbox, when a webhook is configured. */
  readonly outbox: Outbox | null;
  /** One round of the outbox now (enqueue, then post what is due); nothing without a webhook. */
  runOnce(): Promise<DeliveryRound>;
  registerRoutes(app: FastifyInstance): void;
  stop(): void;
}

interface Deps {
  store: Store;
  plant: PlantService;
  now: () => Date;
  metrics: Metrics;
  log: FastifyBaseLogger;
}

export function createQmsLink(options: QmsLinkOptions & Deps): QmsLink {
  const mrbDecides = options.mrbDecides ?? 'travelog';
  const outbox =
    options.webhook === undefined
      ? null
      : createOutbox({
          sql: options.store.sql,
          now: options.now,
          target: options.webhook,
          // The delivery id and what failed; never the secret, the body or the URL's credentials.
          onFailure: (deliveryId, error) => options.log.warn({ deliveryId, error }, 'QMS webhook not delivered; will retry'),
        });
  const registers = [options.metrics.registry];
  if (outbox !== null) {
    new Gauge({
      name: 'travelog_qms_outbox_depth', help: 'NCR webhooks not yet acknowledged by the QMS', registers,
      async collect() {
        this.set((await outbox.stats()).depth);
      },
    });
    new Gauge({
      name: 'travelog_qms_outbox_oldest_seconds', help: 'Age of the oldest NCR webhook not yet acknowledged by the QMS (0 when none)', registers,
      async collect() {
        this.set((await outbox.stats()).oldestAgeSeconds);
      },
    });
  }
  const runOnce = async (): Promise<DeliveryRound> => (outbox === null ? { delivered: 0, failed: 0 } : outbox.runOnce());
  const kick = (): void => {
    runOnce().catch((error: unknown) => options.log.error({ err: error }, 'QMS outbox round failed'));
  };
  const pollMs = options.pollMs ?? 5000;
  const timer = outbox !== null && pollMs > 0 ? setInterval(kick, pollMs) : null;
  timer?.unref();
  return {
    mrbDecides,
    outbox,
    runOnce,
    registerRoutes(app) {
      registerQmsRoutes(app, { store: options.store, plant: options.plant, now: options.now, mrbDecides, ...(pollMs > 0 ? { onChange: kick } : {}) });
    },
    stop() {
      if (timer !== null) clearInterval(timer);
    },
  };
}
