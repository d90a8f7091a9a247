import type { ApiError } from '../schemas/pull.ts';

/** Every stable `code` the API answers with, and what it means to a station. */
export type ApiErrorCode =
  | 'invalid-request' // the body does not match its schema; `message` names the field
  | 'malformed-json'
  | 'body-too-large'
  | 'unsupported-media-type'
  | 'unauthenticated' // no credential, an unknown one, or a revoked station: enroll again
  | 'invalid-credentials' // badge and PIN do not match
  | 'forbidden' // authenticated, but the role may not do this
  | 'locked-out' // too many wrong PINs; `Retry-After` says for how long
  | 'client-too-old' // reload the app to update it
  | 'unsupported-protocol' // the station is newer than the server
  | 'not-found' // no such route (an /api route: only to an authenticated caller, S2)
  | 'method-not-allowed' // the route exists with other methods; `Allow` names them
  | 'malformed-request' // not well-formed HTTP: a body shorter than its Content-Length, a bad request line or URL
  | 'headers-too-large' // 431: the request's headers are over the server's limit
  | 'request-timeout' // 408: the request did not arrive whole in time
  | 'invalid-event' // an event of a push fails its schema; `message` names the field, `eventIds` lists them
  | 'station-mismatch' // the push names another station than its credential's
  | 'station-key-mismatch' // the server's table and its signed log disagree on the station's key: plant IT must look (503)
  | 'unknown-ncr' // QMS link: the NCR does not exist, or is of a program the integration is not cleared for
  | 'unknown-item' // QMS link: the NCR has no such item
  | 'insufficient-quantity' // QMS link: more than the item has left to disposition
  | 'disposition-not-allowed' // QMS link: e.g. use as is on a program that needs the customer's reference
  | 'qms-reference-reused' // QMS link: the QMS reference was taken before with other content
  | 'mrb-decides-in-travelog' // QMS link: MRB_DECIDES=travelog, the QMS may not post dispositions
  | 'photo-too-large' // a red tag's photo over the size kept (docs/ncr.md "Photo")
  | 'not-a-photo' // the body is not a JPEG, PNG or WebP image, or not of the type it says
  | 'photo-mismatch' // the bytes are not the photo the NCR's signed event names (hash, size, type)
  | 'internal';

/** An answer other than success, thrown by route code and turned into an {@link ApiError} body. */
export class ApiFailure extends Error {
  readonly statusCode: number;
  readonly code: ApiErrorCode;
  readonly headers: Readonly<Record<string, string>>;
  readonly details: { eventIds?: string[] };

  constructor(statusCode: number, code: ApiErrorCode, message: string, headers: Record<string, string> = {}, details: { eventIds?: string[] } = {}) {
    super(message);
    this.name = 'ApiFailure';
    this.statusCode = statusCode;
    this.code = code;
    this.headers = headers;
    this.details = details;
  }

  /** The body the station receives. */
  toBody(): ApiError {
    return { code: this.code, message: this.message, ...(this.details.eventIds === undefined ? {} : { eventIds: this.details.eventIds }) };
  }
}
