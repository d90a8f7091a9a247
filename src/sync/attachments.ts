/**
 * Puts the photos a station took with its red tags on the server (`PUT /api/attachments/<sha256>`,
 * docs/ncr.md "Photo"), after the NCR that names them: the server keeps only photos an NCR it has
 * names. A photo the server does not take yet (its NCR not pushed yet, no network) waits for the next
 * round; one it refuses for what it is (wrong hash, too large, not an image) is marked refused and
 * kept on the station with the reason. The NCR never depends on it: its signed event is pushed alone.
 */
import type { AttachmentStore } from '../db/attachments.ts';
import type { Transport } from './transport.ts';
import { ApiFailure } from './transport.ts';

/** Refusals a retry cannot change: the bytes are not what the signed event names, or not a photo. */
const FINAL = new Set(['photo-mismatch', 'photo-too-large', 'not-a-photo', 'invalid-request']);

export interface PhotoUploadContext {
  attachments: AttachmentStore;
  transport: Transport;
  credential: string;
  now: () => Date;
  signal?: AbortSignal;
}

/** Uploads every photo waiting, oldest first; stops at the first that could not go (the next round retries). Returns how many went up. */
export async function uploadWaitingPhotos(context: PhotoUploadContext): Promise<number> {
  const { transport } = context;
  if (transport.putBytes === undefined) return 0;
  let sent = 0;
  for (const photo of await context.attachments.waiting()) {
    if (context.signal?.aborted === true) break;
    try {
      await transport.putBytes(`/api/attachments/${photo.sha256}`, photo.data, photo.mediaType, context.credential, context.signal === undefined ? {} : { signal: context.signal });
      await context.attachments.markUploaded(photo.sha256, context.now().toISOString());
      sent++;
    } catch (error) {
      if (error instanceof ApiFailure && FINAL.has(error.code)) {
        await context.attachments.markRefused(photo.sha256, error.message);
        continue;
      }
      // Unknown NCR (not pushed yet), network, server busy: the next round tries again. A photo of
      // another NCR may still go, but order keeps it simple and the next round comes soon.
      if (error instanceof ApiFailure && error.status === 404) continue;
      break;
    }
  }
  return sent;
}

/**
 * Runs {@link uploadWaitingPhotos} when woken (after each push, each poll), one round at a time: a
 * wake during a round asks for one more round after it.
 */
export function photoUploader(context: PhotoUploadContext): { wake(): void; done(): Promise<void> } {
  let running: Promise<void> | null = null;
  let again = false;
  const run = (): void => {
    if (running !== null) {
      again = true;
      return;
    }
    running = uploadWaitingPhotos(context)
      .then(() => undefined, () => undefined)
      .finally(() => {
        running = null;
        if (again && context.signal?.aborted !== true) {
          again = false;
          run();
        }
      });
  };
  return { wake: run, done: () => running ?? Promise.resolve() };
}
