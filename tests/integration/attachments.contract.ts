/**
 * A red tag's photo over HTTP against the real server, on every store (attachments.pglite.test.ts,
 * attachments.pg.test.ts; docs/ncr.md "Photo"): the signed `ncr.opened` names it by SHA-256; the
 * bytes go up by `PUT /api/attachments/<sha256>` (idempotent) and come down by `GET`; bad input (a
 * wrong hash, too large, not an image, no NCR naming it) is refused with a clear error and stores
 * nothing; a station not cleared for the NCR's program is answered as if no NCR named the photo; the
 * evidence package names the photo by its hash.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PhotoRef } from '../../schemas/attachment.ts';
import { MAX_PHOTO_BYTES } from '../../schemas/attachment.ts';
import type { UnitRef } from '../../schemas/common.ts';
import type { EvidenceFact, EvidencePackage } from '../../schemas/evidence.ts';
import { verifyEvidence } from '../../sync-server/evidence/evidence-verify.ts';
import type { RunningServer } from '../../sync-server/main.ts';
import { send, testClock } from './harness.ts';
import { addWorkOrder, enrollStation, startSyncServer, type Backend, type SyncFixture, type TestStation } from './sync-fixture.ts';

const OPERATOR = 'B-1001';
const F35 = 'F-35-ACT';

/** A JPEG's first bytes and then `size` bytes of `fill`: enough for the server's checks (it does not decode). */
function jpeg(size: number, fill = 7): Uint8Array {
  const bytes = new Uint8Array(size).fill(fill);
  bytes.set([0xff, 0xd8, 0xff, 0xe0]);
  bytes[size - 2] = 0xff;
  bytes[size - 1] = 0xd9;
  return bytes;
}

const refOf = (bytes: Uint8Array, mediaType: PhotoRef['mediaType'] = 'image/jpeg'): PhotoRef => ({ sha256: createHash('sha256').update(bytes).digest('hex'), mediaType, bytes: bytes.length });

async function put(server: RunningServer, sha256: string, body: Uint8Array, options: { credential?: string; contentType?: string } = {}): Promise<{ status: number; body: { code?: string; message?: string; replay?: boolean; ncrId?: string } }> {
  const response = await fetch(`${server.url}/api/attachments/${sha256}`, {
    method: 'PUT',
    headers: { 'content-type': options.contentType ?? 'image/jpeg', ...(options.credential === undefined ? {} : { authorization: `Bearer ${options.credential}` }) },
    body: body as Uint8Array<ArrayBuffer>,
  });
  return { status: response.status, body: (await response.json()) as never };
}

async function get(server: RunningServer, sha256: string, credential: string): Promise<{ status: number; type: string | null; bytes: Uint8Array }> {
  const response = await fetch(`${server.url}/api/attachments/${sha256}`, { headers: { authorization: `Bearer ${credential}` } });
  return { status: response.status, type: response.headers.get('content-type'), bytes: new Uint8Array(await response.arrayBuffer()) };
}

/** Registers the suite on one backend. */
export function runAttachmentSuite(backend: Backend): void {
  describe(`NCR photos on ${backend}`, () => {
    const clock = testClock('2026-11-20T08:00:00.000Z');
    let fixture: SyncFixture;
    let server: RunningServer;
    let mill: TestStation;
    let commercialOnly: TestStation;
    let orders = 0;

    const stored = async (sha256: string): Promise<number> =>
      Number((await server.store.sql.query<{ n: string | number }>('SELECT count(*) AS n FROM attachments WHERE sha256 = $1', [sha256]))[0]?.n ?? 0);

    /** Pushes a red tag naming `photo` on a fresh work order of `program`; its NCR id and unit. */
    async function redTag(photo: PhotoRef, program = 'COMMERCIAL'): Promise<{ ncrId: string; unit: UnitRef; workOrderId: string }> {
      const { workOrderId, units } = await addWorkOrder(server, `WO-A${backend === 'PGlite' ? 'L' : 'P'}${++orders}`, { program });
      const unit = units[0]!;
      const tag = mill.event('ncr.opened', OPERATOR, { workOrderId, operationId: 'OP10', items: [{ itemId: '1', unit, quantity: 1 }], description: 'Dent on the flange', photo });
      expect((await mill.pushOk([tag]))[0]).toMatchObject({ outcome: 'accepted' });
      return { ncrId: `NCR-${tag.id}`, unit, workOrderId };
    }

    beforeAll(async () => {
      fixture = await startSyncServer(backend, { now: clock.now });
      server = fixture.server;
      mill = await enrollStation(server, clock, 'Mill tablet');
      commercialOnly = await enrollStation(server, clock, 'Commercial cell');
      expect(await server.store.setStationPrograms(commercialOnly.id, ['COMMERCIAL'])).toBe(true);
    }, 240_000);

    afterAll(async () => {
      await fixture?.dispose();
    });

    it('the signed red tag names the photo; the bytes go up once (again: the same answer, replay), come down whole, and the evidence package names the photo by hash', async () => {
      const bytes = jpeg(40_000);
      const photo = refOf(bytes);
      const { ncrId, unit } = await redTag(photo);
      expect((await server.store.getView('nonconformance', ncrId))?.data).toMatchObject({ photo });

      const first = await put(server, photo.sha256, bytes, { credential: mill.credential });
      expect(first).toMatchObject({ status: 201, body: { replay: false, ncrId } });
      const again = await put(server, photo.sha256, bytes, { credential: mill.credential });
      expect(again).toMatchObject({ status: 200, body: { replay: true, ncrId } });
      expect(await stored(photo.sha256)).toBe(1);

      const down = await get(server, photo.sha256, mill.credential);
      expect(down.status).toBe(200);
      expect(down.type).toBe('image/jpeg');
      expect(Buffer.from(down.bytes).equals(Buffer.from(bytes))).toBe(true);

      const serial = (unit as { serial: string }).serial;
      const pkg = await send<EvidencePackage>(server.url, `/api/evidence?serial=${serial}`, { credential: mill.credential });
      expect(pkg.status).toBe(200);
      expect(verifyEvidence(pkg.body)[0]).toMatch(/^OK/);
      const ncr = pkg.body.facts.nonconformances.find((f: EvidenceFact) => f.context['ncrId'] === ncrId && f.context['record'] === undefined);
      expect(ncr?.context['photo']).toEqual({ ...photo, onServer: true, path: `/api/attachments/${photo.sha256}` });
      // The signed record itself, as the package proves it, names the same hash.
      const opened = pkg.body.facts.nonconformances.find((f: EvidenceFact) => f.context['record'] === 'opened' && f.context['ncrId'] === ncrId);
      expect(JSON.stringify(opened?.recorded)).toContain(photo.sha256);
    });

    it('a photo no NCR names yet (its red tag not pushed) is refused and not stored; once the NCR is in, the same bytes are taken', async () => {
      const bytes = jpeg(2_000, 9);
      const photo = refOf(bytes);
      const early = await put(server, photo.sha256, bytes, { credential: mill.credential });
      expect(early).toMatchObject({ status: 404, body: { code: 'not-found' } });
      expect(await stored(photo.sha256)).toBe(0);
      await redTag(photo);
      expect((await put(server, photo.sha256, bytes, { credential: mill.credential })).status).toBe(201);
    });

    it('bytes that are not the photo the NCR names (another hash, size or type), not an image, or too large are refused with a clear error, and nothing is stored', async () => {
      const bytes = jpeg(5_000, 3);
      const photo = refOf(bytes);
      await redTag(photo);

      const other = jpeg(5_000, 4);
      expect(await put(server, photo.sha256, other, { credential: mill.credential })).toMatchObject({ status: 422, body: { code: 'photo-mismatch', message: 'The bytes do not have the SHA-256 the NCR names' } });
      expect(await put(server, photo.sha256, jpeg(5_001, 3), { credential: mill.credential })).toMatchObject({ status: 422, body: { code: 'photo-mismatch', message: expect.stringContaining('5000 bytes') } });
      const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
      expect(await put(server, photo.sha256, png, { credential: mill.credential, contentType: 'image/png' })).toMatchObject({ status: 422, body: { code: 'photo-mismatch' } });
      const text = new TextEncoder().encode('not a photo at all');
      expect(await put(server, photo.sha256, text, { credential: mill.credential })).toMatchObject({ status: 415, body: { code: 'not-a-photo', message: 'This is not a JPEG, PNG or WebP image' } });
      expect(await put(server, photo.sha256, bytes, { credential: mill.credential, contentType: 'text/plain' })).toMatchObject({ status: 415, body: { code: 'not-a-photo' } });
      expect(await put(server, photo.sha256, jpeg(MAX_PHOTO_BYTES + 1), { credential: mill.credential })).toMatchObject({ status: 413, body: { code: 'photo-too-large' } });
      expect(await put(server, photo.sha256, jpeg(MAX_PHOTO_BYTES * 2 + 10), { credential: mill.credential })).toMatchObject({ status: 413, body: { code: 'body-too-large' } });
      expect(await put(server, 'ABC', bytes, { credential: mill.credential })).toMatchObject({ status: 400, body: { code: 'invalid-request' } });
      expect(await stored(photo.sha256)).toBe(0);
      expect((await get(server, photo.sha256, mill.credential)).status).toBe(404);

      // The right bytes after all that are taken.
      expect((await put(server, photo.sha256, bytes, { credential: mill.credential })).status).toBe(201);
    });

    it('[S10] a station not cleared for the NCR\'s program is answered as if no NCR named the photo, up and down; without a credential, 401', async () => {
      const bytes = jpeg(3_000, 5);
      const photo = refOf(bytes);
      await redTag(photo, F35);
      const unknown = jpeg(3_000, 6);
      const refusedUp = await put(server, photo.sha256, bytes, { credential: commercialOnly.credential });
      const unknownUp = await put(server, refOf(unknown).sha256, unknown, { credential: commercialOnly.credential });
      expect(refusedUp).toEqual(unknownUp);
      expect(refusedUp.status).toBe(404);
      expect(await stored(photo.sha256)).toBe(0);

      expect((await put(server, photo.sha256, bytes, { credential: mill.credential })).status).toBe(201);
      const refusedDown = await get(server, photo.sha256, commercialOnly.credential);
      const unknownDown = await get(server, refOf(unknown).sha256, commercialOnly.credential);
      expect(refusedDown.status).toBe(404);
      expect(Buffer.from(refusedDown.bytes).toString()).toBe(Buffer.from(unknownDown.bytes).toString());
      expect((await get(server, photo.sha256, mill.credential)).status).toBe(200);

      expect((await put(server, photo.sha256, bytes)).status).toBe(401);
      expect((await fetch(`${server.url}/api/attachments/${photo.sha256}`)).status).toBe(401);
    });

    it('a red tag whose photo never reaches the server is still a whole NCR: it contains the unit, and the evidence says the photo is not on the server', async () => {
      const bytes = jpeg(4_000, 8);
      const photo = refOf(bytes);
      const { ncrId, unit } = await redTag(photo);
      expect((await server.store.getView('nonconformance', ncrId))?.data).toMatchObject({ status: 'open', photo, items: [{ unit, dispositions: [] }] });
      const pkg = await send<EvidencePackage>(server.url, `/api/evidence?serial=${(unit as { serial: string }).serial}`, { credential: mill.credential });
      const ncr = pkg.body.facts.nonconformances.find((f: EvidenceFact) => f.context['ncrId'] === ncrId && f.context['record'] === undefined);
      expect(ncr?.context['photo']).toMatchObject({ sha256: photo.sha256, onServer: false });
    });

    it('a red tag naming a photo larger than the cap, or of another media type, is refused at push (schema) and opens nothing', async () => {
      const { workOrderId, units } = await addWorkOrder(server, `WO-A${backend === 'PGlite' ? 'L' : 'P'}X`, {});
      const tag = mill.event('ncr.opened', OPERATOR, {
        workOrderId, items: [{ itemId: '1', unit: units[0]!, quantity: 1 }], description: 'Too big',
        photo: { sha256: 'a'.repeat(64), mediaType: 'image/jpeg', bytes: MAX_PHOTO_BYTES + 1 },
      });
      const answer = await mill.push([tag]);
      expect(answer.status).toBe(400);
      expect(answer.text).toMatch(/photo\/bytes/);
      expect(await server.store.getView('nonconformance', `NCR-${tag.id}`)).toBeUndefined();
    });
  });
}
