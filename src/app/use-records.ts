/** Live lists read straight from the station's database, for screens beyond the plant. */
import { useEffect, useState } from 'react';
import type { StationEvent } from '../../schemas/event.ts';
import type { QuarantineEntry } from '../../schemas/quarantine.ts';
import type { ReceiptDoc } from '../../schemas/receipt-doc.ts';
import { asEvent } from '../db/database.ts';
import type { StationRuntime } from '../station/runtime.ts';

/** An event of this station the server refused, with the reason; kept, never deleted. */
export interface RefusedEvent {
  event: StationEvent;
  receipt: ReceiptDoc;
}

/** This station's events the server refused, newest first. */
export function useRefusedEvents(rt: StationRuntime): RefusedEvent[] {
  const [refused, setRefused] = useState<RefusedEvent[]>([]);
  useEffect(() => {
    let current = true;
    const subscription = rt.db.receipts.find({ selector: { outcome: 'rejected' } }).$.subscribe((docs) => {
      const receipts = docs.map((doc) => doc.toMutableJSON());
      void rt.db.events
        .findByIds(receipts.map((r) => r.eventId))
        .exec()
        .then((events) => {
          if (!current) return;
          const list: RefusedEvent[] = [];
          for (const receipt of receipts) {
            const doc = events.get(receipt.eventId);
            if (doc !== undefined) list.push({ event: asEvent(doc), receipt });
          }
          setRefused(list.sort((a, b) => b.event.seq - a.event.seq));
        });
    });
    return () => {
      current = false;
      subscription.unsubscribe();
    };
  }, [rt]);
  return refused;
}

/** Events the server quarantined, from every station this one may see, newest first. */
export function useQuarantine(rt: StationRuntime): QuarantineEntry[] {
  const [entries, setEntries] = useState<QuarantineEntry[]>([]);
  useEffect(() => {
    const subscription = rt.db.views.find({ selector: { kind: 'quarantine' } }).$.subscribe((docs) => {
      const list = docs.map((doc) => doc.toMutableJSON().data as unknown as QuarantineEntry);
      setEntries(list.sort((a, b) => b.receivedAt.localeCompare(a.receivedAt)));
    });
    return () => subscription.unsubscribe();
  }, [rt]);
  return entries;
}
