/**
 * Photos kept with NCRs (docs/ncr.md "Photo"), behind the station credential:
 *
 * * `PUT /api/attachments/<sha256>` with the image as the body (`Content-Type: image/jpeg`, png or
 *   webp): stored when an NCR the station is cleared for names a photo of that hash in its signed
 *   `ncr.opened`, and the bytes are that photo (hash, size, media type, an image's own signature).
 *   Idempotent: the same bytes again answer `200` with `replay: true`.
 * * `GET /api/attachments/<sha256>`: the bytes, to a station cleared for the NCR's program.
 *
 * Program clearance (S10, S20): a photo of another program's NCR is answered exactly as one no NCR
 * names. Refusals are `{ code, message }` and store nothing.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PhotoRef } from '../../schemas/attachment.ts';
import { MAX_PHOTO_BYTES } from '../../schemas/attachment.ts';
import type { Nonconformance } from '../../schemas/nonconformance.ts';
import type { PlantState } from '../../src/domain/plant.ts';
import { isPhotoMediaType, photoMismatch, photoProblem } from '../../src/domain/photo.ts';
import { ApiFailure } from '../api-error.ts';
import { currentPlant, programIndex } from '../audit/clearance.ts';
import type { Station, Store } from '../store/store.ts';
import type { PlantService } from '../sync/plant-service.ts';
import { getAttachment, putAttachment } from './attachment-store.ts';

const SHA256 = /^[0-9a-f]{64}$/;

const nodeHash = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The NCR a station cleared for `programs` may see that names the photo `sha256`, with its reference. */
export function ncrOfPhoto(state: PlantState, programs: readonly string[], sha256: string): { ncr: Nonconformance; photo: PhotoRef } | undefined {
  let owners: ReadonlyMap<string, string> | null = null;
  for (const ncr of state.nonconformances.values()) {
    if (ncr.photo?.sha256 !== sha256) continue;
    owners ??= programIndex(state).owners;
    const program = owners.get(ncr.ncrId) ?? state.workOrders.get(ncr.workOrderId ?? '')?.program;
    if (program !== undefined && !programs.includes(program)) continue;
    return { ncr, photo: ncr.photo };
  }
  return undefined;
}

function hashOf(params: { sha256: string }): string {
  if (!SHA256.test(params.sha256)) throw new ApiFailure(400, 'invalid-request', 'A photo is named by its SHA-256: 64 lower-case hex digits');
  return params.sha256;
}

const unknownPhoto = () => new ApiFailure(404, 'not-found', 'No NCR this station may see names a photo with this SHA-256');

/** Registers the routes on a scope that has authenticated the station. */
export function registerAttachmentRoutes(app: FastifyInstance, options: { store: Store; plant: PlantService; now: () => Date; authenticated: (request: FastifyRequest) => Station }): void {
  const { store, plant, now } = options;
  // A scope of its own, so that only these routes take raw bytes; every other route keeps JSON.
  void app.register((scope, _options, done) => {
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_PHOTO_BYTES * 2 }, (_request, body, parsed) => parsed(null, body));

    scope.put<{ Params: { sha256: string } }>('/api/attachments/:sha256', { bodyLimit: MAX_PHOTO_BYTES * 2 }, async (request, reply) => {
      const station = options.authenticated(request);
      const sha256 = hashOf(request.params);
      const found = ncrOfPhoto(await currentPlant(plant, store), station.programs, sha256);
      if (found === undefined) throw unknownPhoto();
      const mediaType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      const body = request.body;
      if (!isPhotoMediaType(mediaType) || !(body instanceof Uint8Array)) throw new ApiFailure(415, 'not-a-photo', 'Send the photo as image/jpeg, image/png or image/webp');
      const bytes = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
      if (bytes.length > MAX_PHOTO_BYTES) throw new ApiFailure(413, 'photo-too-large', photoProblem(bytes, mediaType) ?? 'The photo is too large');
      const problem = photoProblem(bytes, mediaType);
      if (problem !== null) throw new ApiFailure(415, 'not-a-photo', problem);
      const mismatch = photoMismatch(bytes, mediaType, found.photo, nodeHash);
      if (mismatch !== null) throw new ApiFailure(422, 'photo-mismatch', mismatch);
      const stored = await putAttachment(store.sql, { sha256, mediaType, data: bytes, ncrId: found.ncr.ncrId, stationId: station.id, storedAt: now().toISOString() });
      return reply.code(stored ? 201 : 200).send({ sha256, ncrId: found.ncr.ncrId, bytes: bytes.length, replay: !stored });
    });

    scope.get<{ Params: { sha256: string } }>('/api/attachments/:sha256', async (request, reply) => {
      const station = options.authenticated(request);
      const sha256 = hashOf(request.params);
      if (ncrOfPhoto(await currentPlant(plant, store), station.programs, sha256) === undefined) throw unknownPhoto();
      const photo = await getAttachment(store.sql, sha256);
      if (photo === undefined) throw new ApiFailure(404, 'not-found', 'The server does not have this photo yet: the station that took it has not put it up');
      return reply
        .type(photo.mediaType)
        .header('cache-control', 'private, max-age=31536000, immutable')
        .header('x-content-type-options', 'nosniff')
        .send(Buffer.from(photo.data.buffer, photo.data.byteOffset, photo.data.byteLength));
    });
    done();
  });
}
