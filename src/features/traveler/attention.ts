/**
 * This station's records the server did not take as recorded: flagged by a conflict rule (its
 * completion lost to another station's, material beyond the bill, …) or refused. They are shown on
 * their step and counted in the status bar until someone at the station acknowledges them; the
 * acknowledgement (who, when) is kept in the station's settings, so it survives a reload.
 */
import { useEffect, useMemo, useState } from 'react';
import type { StationEvent } from '../../../schemas/event.ts';
import type { ReceiptDoc } from '../../../schemas/receipt-doc.ts';
import { asEvent } from '../../db/database.ts';
import { readSetting, writeSetting } from '../../db/settings.ts';
import { stepKey } from '../../domain/plant.ts';
import { stepTarget } from '../../domain/rules/helpers.ts';
import type { StationRuntime } from '../../station/runtime.ts';

/** The settings document of acknowledgements, keyed by event id. */
export const ACKNOWLEDGED_ID = 'acknowledged-receipts';

export interface Acknowledgement {
  /** Badge of the person who acknowledged it at this station. */
  by: string;
  at: string;
}

type Acknowledged = Record<string, Acknowledgement>;

/** One of this station's events the server flagged or refused. */
export interface ServerVerdict {
  event: StationEvent;
  receipt: ReceiptDoc;
  /** The step it acted on (see stepKey), if it acted on one. */
  stepKey: string | null;
  acknowledged: Acknowledgement | null;
}

/** Records that `by` has seen these verdicts; merged into what is stored, never replacing it. */
export async function acknowledge(rt: StationRuntime, eventIds: readonly string[], by: string, at: Date): Promise<void> {
  const stored = (await readSetting<Acknowledged>(rt.db, ACKNOWLEDGED_ID)) ?? {};
  const next: Acknowledged = { ...stored };
  for (const id of eventIds) next[id] ??= { by, at: at.toISOString() };
  await writeSetting(rt.db, ACKNOWLEDGED_ID, next);
}

/** This station's flagged and refused events, newest first, with their acknowledgement if any. */
export function useServerVerdicts(rt: StationRuntime): ServerVerdict[] {
  const [acks, setAcks] = useState<Acknowledged>({});
  const [found, setFound] = useState<Array<Omit<ServerVerdict, 'acknowledged'>>>([]);

  useEffect(() => {
    let current = true;
    // `outcome` is indexed: the station reads only its flagged and refused receipts, never all.
    const subscription = rt.db.receipts.find({ selector: { outcome: { $in: ['flagged', 'rejected'] } } }).$.subscribe((docs) => {
      const receipts = docs.map((doc) => doc.toMutableJSON());
      void rt.db.events
        .findByIds(receipts.map((r) => r.eventId))
        .exec()
        .then((events) => {
          if (!current) return;
          const list: Array<Omit<ServerVerdict, 'acknowledged'>> = [];
          for (const receipt of receipts) {
            const doc = events.get(receipt.eventId);
            if (doc === undefined) continue;
            const event = asEvent(doc);
            const target = stepTarget(event);
            list.push({ event, receipt, stepKey: target === undefined ? null : stepKey(target.workOrderId, target.unit, target.operationId) });
          }
          setFound(list.sort((a, b) => b.event.seq - a.event.seq));
        });
    });
    const ackSubscription = rt.db.settings.findOne(ACKNOWLEDGED_ID).$.subscribe((doc) => {
      setAcks(doc === null ? {} : (doc.toMutableJSON().data as Acknowledged));
    });
    return () => {
      current = false;
      subscription.unsubscribe();
      ackSubscription.unsubscribe();
    };
  }, [rt]);

  return useMemo(() => found.map((f) => ({ ...f, acknowledged: acks[f.event.id] ?? null })), [found, acks]);
}

/** The verdicts nobody has acknowledged yet. */
export function useUnacknowledged(rt: StationRuntime): ServerVerdict[] {
  const verdicts = useServerVerdicts(rt);
  return verdicts.filter((v) => v.acknowledged === null);
}

/** What an event did, in the words of the step screen. */
export const EVENT_WORDS: Record<string, string> = {
  'op.started': 'start',
  'op.completed': 'completion',
  'material.consumed': 'material scan',
  'measurement.recorded': 'measurement',
};
