import type { Rule } from './types.ts';

/** Allow 5 minutes of drift between a station's clock and the server's before flagging it. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * C11: a station whose clock is far from the server's (measured when it sent the push). The event is
 * recorded with both times and flagged `clock-skew`; nothing is refused for it, and the hybrid
 * logical clock still orders the station's events.
 */
export const clockSkew: Rule = ({ event, skewMs, serverTime }) => {
  if (Math.abs(skewMs) <= MAX_CLOCK_SKEW_MS) return [];
  const minutes = Math.round(Math.abs(skewMs) / 60000);
  return [{
    rule: 'C11',
    flag: 'clock-skew',
    description: `Station clock ${skewMs > 0 ? 'behind' : 'ahead of'} the server by about ${minutes} min: device time ${event.deviceTime}, server received ${serverTime.toISOString()}`,
  }];
};
