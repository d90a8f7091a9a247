/**
 * The checks a photo kept with an NCR must pass, the same on the station (before it signs the red tag)
 * and on the server (before it stores the bytes): a size within {@link MAX_PHOTO_BYTES}, bytes that
 * are the image their media type says (by the file's signature, not its name), and the SHA-256 the
 * signed event names. The hash function is passed in (WebCrypto or Node's), keeping the domain pure.
 */
import type { PhotoMediaType, PhotoRef } from '../../schemas/attachment.ts';
import { MAX_PHOTO_BYTES, PHOTO_MEDIA_TYPES } from '../../schemas/attachment.ts';

/** The media type the first bytes of an image say, or undefined for anything that is not a photo we keep. */
export function sniffPhotoType(bytes: Uint8Array): PhotoMediaType | undefined {
  const at = (i: number) => bytes[i] ?? -1;
  if (at(0) === 0xff && at(1) === 0xd8 && at(2) === 0xff) return 'image/jpeg';
  if ([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((b, i) => at(i) === b)) return 'image/png';
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  return undefined;
}

export const isPhotoMediaType = (value: string): value is PhotoMediaType => (PHOTO_MEDIA_TYPES as readonly string[]).includes(value);

/** Why `bytes` cannot be kept as a photo of `mediaType`, or null. */
export function photoProblem(bytes: Uint8Array, mediaType: string): string | null {
  if (bytes.length === 0) return 'The photo is empty';
  if (bytes.length > MAX_PHOTO_BYTES) return `The photo is ${bytes.length.toLocaleString('en')} bytes; at most ${MAX_PHOTO_BYTES.toLocaleString('en')} are kept`;
  const sniffed = sniffPhotoType(bytes);
  if (sniffed === undefined) return 'This is not a JPEG, PNG or WebP image';
  if (sniffed !== mediaType) return `The bytes are ${sniffed}, not the ${mediaType} named`;
  return null;
}

/**
 * The reference a signed event carries for `bytes`, or the problem that keeps them from being a
 * photo. `hash` is lower-case hex SHA-256 (the domain takes it, as it takes the clock).
 */
export function photoRefOf(bytes: Uint8Array, mediaType: string, hash: (bytes: Uint8Array) => string): PhotoRef | { problem: string } {
  const problem = photoProblem(bytes, mediaType);
  if (problem !== null) return { problem };
  return { sha256: hash(bytes), mediaType: mediaType as PhotoMediaType, bytes: bytes.length };
}

/** Why `bytes` are not the photo `ref` names (hash, size, type), or null. */
export function photoMismatch(bytes: Uint8Array, mediaType: string, ref: PhotoRef, hash: (bytes: Uint8Array) => string): string | null {
  const problem = photoProblem(bytes, mediaType);
  if (problem !== null) return problem;
  if (mediaType !== ref.mediaType) return `The NCR names a ${ref.mediaType} photo, not ${mediaType}`;
  if (bytes.length !== ref.bytes) return `The NCR names a photo of ${ref.bytes} bytes; these are ${bytes.length}`;
  if (hash(bytes) !== ref.sha256) return 'The bytes do not have the SHA-256 the NCR names';
  return null;
}
