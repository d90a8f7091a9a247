/**
 * Taking a red tag's photo at the station (docs/ncr.md "Photo"): a frame of the station's camera
 * (getUserMedia, as the scanner's camera) or an image file (the fallback: `<input capture>`), drawn
 * down to {@link PHOTO_LONG_EDGE} pixels on the long side and written as JPEG at the best quality
 * that stays within {@link MAX_PHOTO_BYTES}; then named by its SHA-256.
 */
import type { PhotoRef } from '../../../schemas/attachment.ts';
import { MAX_PHOTO_BYTES } from '../../../schemas/attachment.ts';
import { photoHash } from '../../db/attachments.ts';
import { photoRefOf } from '../../domain/photo.ts';

/** Long edge of a kept photo: enough to read a scratch or a stamp, small enough to sync on bad Wi-Fi. */
export const PHOTO_LONG_EDGE = 1600;

/** JPEG qualities tried in turn until the photo fits the cap. */
const QUALITIES = [0.85, 0.75, 0.65, 0.5, 0.4];

/** The size to draw a `width`×`height` image at so its long edge is at most `longEdge` (never enlarged). */
export function fitWithin(width: number, height: number, longEdge = PHOTO_LONG_EDGE): { width: number; height: number } {
  const scale = Math.min(1, longEdge / Math.max(width, height, 1));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** A photo ready to keep: its bytes and the reference the signed event will carry. */
export interface TakenPhoto {
  data: Uint8Array;
  ref: PhotoRef;
}

/**
 * Encodes `source` (a video frame, a decoded image) as a JPEG within the cap: each quality in turn,
 * then a smaller size if even the lowest is too large. `encode` is the canvas's (tests pass theirs).
 */
export async function encodeWithinCap(
  width: number,
  height: number,
  encode: (size: { width: number; height: number }, quality: number) => Promise<Uint8Array>,
  cap = MAX_PHOTO_BYTES,
): Promise<Uint8Array> {
  let size = fitWithin(width, height);
  for (let attempt = 0; attempt < 4; attempt++) {
    for (const quality of QUALITIES) {
      const bytes = await encode(size, quality);
      if (bytes.length <= cap) return bytes;
    }
    size = fitWithin(size.width, size.height, Math.round(Math.max(size.width, size.height) * 0.7));
  }
  throw new Error('The photo could not be made small enough to keep; take it again');
}

/** The reference of encoded bytes, or throws with the reason they are not a photo. */
export function takenPhoto(data: Uint8Array, mediaType = 'image/jpeg'): TakenPhoto {
  const ref = photoRefOf(data, mediaType, photoHash);
  if ('problem' in ref) throw new Error(ref.problem);
  return { data, ref };
}

/** Draws `source` at `size` and encodes it as JPEG (browser only). */
function canvasEncoder(source: CanvasImageSource): (size: { width: number; height: number }, quality: number) => Promise<Uint8Array> {
  return async (size, quality) => {
    const canvas = document.createElement('canvas');
    canvas.width = size.width;
    canvas.height = size.height;
    const context = canvas.getContext('2d');
    if (context === null) throw new Error('This browser cannot draw the photo');
    context.drawImage(source, 0, 0, size.width, size.height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality));
    if (blob === null) throw new Error('This browser could not write the photo as JPEG');
    return new Uint8Array(await blob.arrayBuffer());
  };
}

/** The photo of the frame the camera shows now. */
export async function photoFromVideo(video: HTMLVideoElement): Promise<TakenPhoto> {
  if (video.videoWidth === 0 || video.videoHeight === 0) throw new Error('The camera shows nothing yet; wait a moment and take it again');
  return takenPhoto(await encodeWithinCap(video.videoWidth, video.videoHeight, canvasEncoder(video)));
}

/** The photo of an image file (the file input's fallback), drawn down and written as JPEG. */
export async function photoFromFile(file: Blob): Promise<TakenPhoto> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new Error('This file is not an image the station can read');
  }
  try {
    return takenPhoto(await encodeWithinCap(bitmap.width, bitmap.height, canvasEncoder(bitmap)));
  } finally {
    bitmap.close();
  }
}

/** Starts the station's camera (the back one where there are two), as the scanner does. */
export async function startPhotoCamera(video: HTMLVideoElement): Promise<{ stop(): void }> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: 'environment' }, width: { ideal: 1920 }, height: { ideal: 1080 } }, audio: false });
  video.srcObject = stream;
  video.muted = true;
  video.playsInline = true;
  await video.play();
  return {
    stop() {
      stream.getTracks().forEach((track) => track.stop());
      video.srcObject = null;
    },
  };
}

/** Whether this browser can open a camera at all (else only the file input is offered). */
export const hasCamera = (): boolean => typeof navigator !== 'undefined' && typeof navigator.mediaDevices?.getUserMedia === 'function';
