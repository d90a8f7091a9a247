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
 * UTF-16 code units of their names; JSON.stringify keeps an object's own order. So plain data copied
 * with its names sorted is written by JSON.stringify's native pass exactly as RFC 8785 writes it,
 * unless it escaped a lone surrogate (which RFC 8785 refuses): about three times faster than
 * canonicalize, which encodes member by member and walks every string. What is not plain data,
 * or has a name JavaScript would order as an array index, goes to canonicalize
 * (tests/unit/audit/entry-form.test.ts compares both on arbitrary values).
 */
export function canonicalText(value: unknown): string {
  const sorted = sortedPlain(value);
  if (sorted !== NOT_PLAIN) {
    const quick = JSON.stringify(sorted);
    if (typeof quick === 'string' && !LONE_SURROGATE_ESCAPE.test(quick)) return quick;
  }
  const text = canonicalize(value);
  if (text === undefined) throw new Error('Not a JSON value: nothing to canonicalize');
  return text;
}

/** `\\uD800`–`\\uDFFF` as JSON.stringify writes them: it escapes a surrogate only when it is alone. */
const LONE_SURROGATE_ESCAPE = /\\u[dD][89abcdefABCDEF]/;

const NOT_PLAIN = Symbol('not plain');

/**
 * A copy of plain JSON data (strings, finite numbers, booleans, null, arrays, plain objects without
 * toJSON or undefined members, no name that starts with a digit, which JavaScript might order as
 * an array index, nor `__proto__`) with every object's names in sorted order; NOT_PLAIN for anything else.
 */
function sortedPlain(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : NOT_PLAIN;
    case 'object': {
      if (value === null) return value;
      if (Array.isArray(value)) {
        const items: unknown[] = [];
        for (const item of value as unknown[]) {
          const copy = sortedPlain(item);
          if (copy === NOT_PLAIN) return NOT_PLAIN;
          items.push(copy);
        }
        return items;
      }
      // Plain objects only: JSON.stringify unboxes a Boolean or a String, canonicalize does not.
      const prototype: unknown = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return NOT_PLAIN;
      const record = value as Record<string, unknown>;
      if (typeof record['toJSON'] === 'function') return NOT_PLAIN;
      const out: Record<string, unknown> = {};
      for (const name of Object.keys(record).sort()) {
        const first = name.charCodeAt(0);
        // A "__proto__" member would set the copy's prototype instead of becoming a member.
        if ((first >= 48 && first <= 57) || name === '__proto__') return NOT_PLAIN;
        const copy = sortedPlain(record[name]);
        if (copy === NOT_PLAIN) return NOT_PLAIN;
        out[name] = copy;
      }
      return out;
    }
    default:
      return NOT_PLAIN;
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
