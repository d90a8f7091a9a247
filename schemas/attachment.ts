import type { FromSchema } from 'json-schema-to-ts';

/**
 * A photo kept with an NCR (a red tag's, docs/ncr.md "Photo"). The signed `ncr.opened` names it by
 * its SHA-256 and media type; the bytes travel apart (`PUT /api/attachments/<sha256>`), so the record
 * proves the photo and a station that never gets the bytes up loses nothing of the NCR.
 */

/** The media types a photo may have: what a station's canvas and a phone camera write. */
export const PHOTO_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type PhotoMediaType = (typeof PHOTO_MEDIA_TYPES)[number];

/** The largest photo, in bytes: a station downscales (1600 px on the long side, JPEG) well below it. */
export const MAX_PHOTO_BYTES = 600_000;

/** A photo named by its hash: what the signed event and the NCR view carry. */
export const photoRefSchema = {
  type: 'object',
  properties: {
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$', minLength: 64, maxLength: 64 },
    mediaType: { type: 'string', enum: PHOTO_MEDIA_TYPES },
    bytes: { type: 'integer', minimum: 1, maximum: MAX_PHOTO_BYTES },
  },
  required: ['sha256', 'mediaType', 'bytes'],
  additionalProperties: false,
} as const;

export type PhotoRef = FromSchema<typeof photoRefSchema>;
