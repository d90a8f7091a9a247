/**
 * The one byte encoding every signature and hash in the audit trail is computed over: RFC 8785 JSON
 * Canonicalization, UTF-8. Station, server and verifier all go through here.
 */
import canonicalize from 'canonicalize';

const encoder = new TextEncoder();

/**
 * The RFC 8785 text of a JSON value. Throws for what JSON cannot hold (undefined, functions).
 *
 * RFC 8785 writes strings and numbers as JSON.stringify does and sorts each object's members by the
 * UTF-16 code units of their names; JSON.stringify keeps an object's own order. So where every
 * object's names are already in that order and every number is finite, JSON.stringify's native pass
 * gives the same text, unless it escaped a lone surrogate (which RFC 8785 refuses): values JSON.parse
 * made of canonical text, as most are here, take that path. Anything else goes to canonicalize
 * (tests/unit/audit/entry-form.test.ts compares both on arbitrary JSON).
 */
export function canonicalText(value: unknown): string {
  if (plainInOrder(value)) {
    const quick = JSON.stringify(value);
    if (typeof quick === 'string' && !LONE_SURROGATE_ESCAPE.test(quick)) return quick;
  }
  const text = canonicalize(value);
  if (text === undefined) throw new Error('Not a JSON value: nothing to canonicalize');
  return text;
}

/** `\\uD800`–`\\uDFFF` as JSON.stringify writes them: it escapes a surrogate only when it is alone. */
const LONE_SURROGATE_ESCAPE = /\\u[dD][89abcdefABCDEF]/;

/**
 * Whether `value` is plain JSON data (strings, finite numbers, booleans, null, arrays, plain objects
 * without toJSON or undefined members) whose objects all have their names in strictly ascending
 * UTF-16 order: then JSON.stringify writes it as RFC 8785 does.
 */
function plainInOrder(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (Array.isArray(value)) {
        for (const item of value) if (!plainInOrder(item)) return false;
        return true;
      }
      // Plain objects only: JSON.stringify unboxes a Boolean or a String, canonicalize does not.
      const prototype: unknown = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return false;
      const record = value as Record<string, unknown>;
      if (typeof record['toJSON'] === 'function') return false;
      let previous: string | null = null;
      for (const name of Object.keys(record)) {
        if (previous !== null && !(previous < name)) return false;
        previous = name;
        if (!plainInOrder(record[name])) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/** The RFC 8785 encoding of a JSON value as UTF-8 bytes. */
export function canonicalBytes(value: unknown): Uint8Array<ArrayBuffer> {
  return encoder.encode(canonicalText(value));
}

/** Base64url without padding. */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Bytes of base64 or base64url text (padding optional). */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const standard = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(standard + '='.repeat((4 - (standard.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Standard base64 with padding (the signed-note format uses it). */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Lower-case hex. */
export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/** Bytes of lower- or upper-case hex. */
export function fromHex(hex: string): Uint8Array<ArrayBuffer> {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new Error('Not hex');
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** SHA-256 with WebCrypto. */
export async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}
