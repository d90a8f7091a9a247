/**
 * A red tag's photo (docs/ncr.md "Photo"): its hash (the station's plain SHA-256 against Node's), the
 * size cap, an image told by its own first bytes, the reference a signed event carries, and the
 * station's downscale that keeps a photo within the cap.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_PHOTO_BYTES } from '../../../schemas/attachment.ts';
import { photoHash } from '../../../src/db/attachments.ts';
import { photoMismatch, photoProblem, photoRefOf, sniffPhotoType } from '../../../src/domain/photo.ts';
import { encodeWithinCap, fitWithin, PHOTO_LONG_EDGE, takenPhoto } from '../../../src/features/ncr/photo.ts';

const jpeg = (size: number, fill = 1): Uint8Array => {
  const bytes = new Uint8Array(size).fill(fill);
  bytes.set([0xff, 0xd8, 0xff, 0xe1]);
  return bytes;
};
const nodeHash = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('photo hashing', () => {
  it('names a photo by the same SHA-256 on the station as Node computes on the server', () => {
    for (const size of [0, 1, 55, 56, 64, 1000, 250_003]) {
      const bytes = new Uint8Array(size).map((_, i) => (i * 31 + 7) & 0xff);
      expect(photoHash(bytes)).toBe(nodeHash(bytes));
    }
    expect(photoHash(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('a reference carries the hash, media type and size; other bytes, size or type do not match it', () => {
    const bytes = jpeg(1000);
    const ref = photoRefOf(bytes, 'image/jpeg', nodeHash);
    expect(ref).toEqual({ sha256: nodeHash(bytes), mediaType: 'image/jpeg', bytes: 1000 });
    if ('problem' in ref) throw new Error(ref.problem);
    expect(photoMismatch(bytes, 'image/jpeg', ref, photoHash)).toBeNull();
    expect(photoMismatch(jpeg(1000, 2), 'image/jpeg', ref, photoHash)).toBe('The bytes do not have the SHA-256 the NCR names');
    expect(photoMismatch(jpeg(999), 'image/jpeg', ref, photoHash)).toMatch(/1000 bytes; these are 999/);
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]);
    expect(photoMismatch(png, 'image/png', ref, photoHash)).toMatch(/names a image\/jpeg photo, not image\/png/);
  });
});

describe('photo checks', () => {
  it('tells JPEG, PNG and WebP by their first bytes, and nothing else', () => {
    expect(sniffPhotoType(jpeg(10))).toBe('image/jpeg');
    expect(sniffPhotoType(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe('image/png');
    expect(sniffPhotoType(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 '))).toBe('image/webp');
    expect(sniffPhotoType(new TextEncoder().encode('GIF89a'))).toBeUndefined();
    expect(sniffPhotoType(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeUndefined();
    expect(sniffPhotoType(new Uint8Array([0xff, 0xd8]))).toBeUndefined();
  });

  it('caps the size: the cap itself is kept, one byte more is refused in words', () => {
    expect(photoProblem(jpeg(MAX_PHOTO_BYTES), 'image/jpeg')).toBeNull();
    expect(photoProblem(jpeg(MAX_PHOTO_BYTES + 1), 'image/jpeg')).toBe('The photo is 600,001 bytes; at most 600,000 are kept');
    expect(photoProblem(new Uint8Array(), 'image/jpeg')).toBe('The photo is empty');
    expect(photoProblem(jpeg(10), 'image/png')).toBe('The bytes are image/jpeg, not the image/png named');
    expect(photoProblem(new TextEncoder().encode('hello'), 'image/jpeg')).toBe('This is not a JPEG, PNG or WebP image');
    expect(photoRefOf(new TextEncoder().encode('hello'), 'image/jpeg', nodeHash)).toEqual({ problem: 'This is not a JPEG, PNG or WebP image' });
  });
});

describe('the station\'s downscale', () => {
  it('fits the long edge within 1600 pixels, keeping the shape and never enlarging', () => {
    expect(fitWithin(4032, 3024)).toEqual({ width: PHOTO_LONG_EDGE, height: 1200 });
    expect(fitWithin(1080, 1920)).toEqual({ width: 900, height: PHOTO_LONG_EDGE });
    expect(fitWithin(640, 480)).toEqual({ width: 640, height: 480 });
  });

  it('lowers the quality, then the size, until the photo is within the cap; gives up in words when it cannot', async () => {
    const tried: Array<[number, number]> = [];
    // An encoder whose output shrinks with quality and with area, as JPEG's does.
    const encode = (size: { width: number; height: number }, quality: number) => {
      tried.push([size.width, quality]);
      return Promise.resolve(jpeg(Math.round(size.width * size.height * quality)));
    };
    const bytes = await encodeWithinCap(4000, 3000, encode);
    expect(bytes.length).toBeLessThanOrEqual(MAX_PHOTO_BYTES);
    expect(tried[0]).toEqual([1600, 0.85]);
    expect(tried.some(([width]) => width < 1600)).toBe(true);
    expect(takenPhoto(bytes).ref.bytes).toBe(bytes.length);

    await expect(encodeWithinCap(4000, 3000, () => Promise.resolve(jpeg(MAX_PHOTO_BYTES + 1)))).rejects.toThrow('The photo could not be made small enough to keep; take it again');
    expect(() => takenPhoto(new TextEncoder().encode('hello'))).toThrow('This is not a JPEG, PNG or WebP image');
  });
});
