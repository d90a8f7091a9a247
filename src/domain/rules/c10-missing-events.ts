import type { Rule } from './types.ts';

/**
 * C10: a gap in a station's sequence numbers. The event is recorded and flagged `missing-events` on
 * that station: something it recorded has not arrived (or was lost on the device).
 */
export const missingEvents: Rule = ({ event, station }) => {
  if (event.seq <= station.lastSeq + 1) return [];
  const from = station.lastSeq + 1;
  const to = event.seq - 1;
  return [{
    rule: 'C10',
    flag: 'missing-events',
    description: `Station ${station.stationName ?? station.stationId} sent event ${event.seq} but ${from === to ? `event ${from} has` : `events ${from}–${to} have`} not arrived`,
  }];
};
