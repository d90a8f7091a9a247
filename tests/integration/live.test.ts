/**
 * The live stream: a station reads `GET /api/sync/live` with a streaming fetch (its credential in the
 * Authorization header) and hears `changed` with the new checkpoint after another station's push.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../sync-server/app.ts';
import { errorOf, readUntil, send, testClock } from './harness.ts';
import { enrollStation, startSyncServer, type SyncFixture, type TestStation } from './sync-fixture.ts';

const clock = testClock('2026-11-20T08:00:00.000Z');
let fixture: SyncFixture;
let listener: TestStation;
let pusher: TestStation;

beforeAll(async () => {
  fixture = await startSyncServer('PGlite', { now: clock.now, heartbeatMs: 100 });
  listener = await enrollStation(fixture.server, clock, 'Listening tablet');
  pusher = await enrollStation(fixture.server, clock, 'Pushing tablet');
}, 60_000);

afterAll(async () => {
  await fixture?.dispose();
});

describe('live stream', () => {
  it('[S2] refuses a stream without the credential', async () => {
    const answer = await send(fixture.server.url, '/api/sync/live');
    expect(answer.status).toBe(401);
    expect(errorOf(answer).code).toBe('unauthenticated');
  });

  it('[S14] says where the server is at once, then `changed` after another station pushes, with heartbeats between', async () => {
    const abort = new AbortController();
    const response = await fetch(`${fixture.server.url}/api/sync/live`, { headers: { authorization: `Bearer ${listener.credential}` }, signal: abort.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    try {
      const head = await fixture.server.store.sequence();
      expect(await readUntil(reader, (text) => text.includes('\n\n'))).toBe(`event: changed\ndata: {"checkpoint":${head}}\n\n`);

      const [receipt] = await pusher.pushOk([pusher.step('op.started', 'B-1001', 'WO-1003', { kind: 'serial', serial: 'SN-1003-01' }, 'OP10', 'D')]);
      const text = await readUntil(reader, (t) => t.includes(`"checkpoint":${receipt!.visibleAt}`));
      expect(text).toContain(`event: changed\ndata: {"checkpoint":${receipt!.visibleAt}}\n\n`);
      expect(await readUntil(reader, (t) => t.includes(': heartbeat\n\n'))).toContain(': heartbeat');
    } finally {
      abort.abort();
      await reader.cancel().catch(() => undefined);
    }
    // The server lets go of a stream the station closed.
    for (let i = 0; i < 50 && liveCount() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(liveCount()).toBe(0);
  });

  it('ends open streams when the server closes', async () => {
    const app = await buildServer({ store: fixture.server.store, now: clock.now, auditKey: fixture.server.auditKey });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const response = await fetch(`${url}/api/sync/live`, { headers: { authorization: `Bearer ${listener.credential}` } });
    const reader = response.body!.getReader();
    await readUntil(reader, (text) => text.includes('\n\n'));
    expect(app.live.size()).toBe(1);
    await app.close();
    await expect(readUntil(reader, () => false)).rejects.toThrow(/ended|terminated/);
  });
});

/** Open streams on the fixture server, counted by the server itself. */
function liveCount(): number {
  return fixture.server.liveStreams();
}
