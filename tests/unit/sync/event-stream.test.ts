import { describe, expect, it } from 'vitest';
import type { ServerSentEvent } from '../../../src/sync/live.ts';
import { createEventStreamParser } from '../../../src/sync/live.ts';

function parseAll(chunks: string[]): ServerSentEvent[] {
  const events: ServerSentEvent[] = [];
  const feed = createEventStreamParser((event) => events.push(event));
  chunks.forEach(feed);
  return events;
}

describe('the live stream text', () => {
  it('[S14] reads changed events split anywhere across chunks, and ignores heartbeat comments', () => {
    const text = 'event: changed\ndata: {"checkpoint": 7}\n\n: heartbeat\n\nevent: changed\r\ndata: {"checkpoint": 9}\r\n\r\n';
    const expected = [
      { event: 'changed', data: '{"checkpoint": 7}' },
      { event: 'changed', data: '{"checkpoint": 9}' },
    ];
    expect(parseAll([text])).toEqual(expected);
    for (let cut = 1; cut < text.length; cut++) expect(parseAll([text.slice(0, cut), text.slice(cut)])).toEqual(expected);
  });

  it('[S14] joins data lines and names an unnamed event "message"', () => {
    expect(parseAll(['data: a\ndata:b\n\n'])).toEqual([{ event: 'message', data: 'a\nb' }]);
  });
});
