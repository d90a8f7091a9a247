/**
 * Checkpoints in the C2SP signed-note format (c2sp.org/tlog-checkpoint, c2sp.org/signed-note): the
 * body is the log's origin, the tree size and the base64 root hash, one per line; each signature
 * line is "— <key name> <base64(key id ‖ Ed25519 signature)>", where the key id is the first four
 * bytes of SHA-256(key name ‖ "\n" ‖ 0x01 ‖ public key).
 */
import { fromBase64, toBase64 } from './canonical.ts';
import { sha256Sync } from './sha256.ts';

/** A checkpoint as parsed from its note. */
export interface Checkpoint {
  origin: string;
  size: number;
  root: Uint8Array;
  /** The note's body: the bytes each signature covers. */
  body: string;
  signatures: Array<{ keyName: string; keyId: Uint8Array; signature: Uint8Array }>;
}

const encoder = new TextEncoder();

/** The C2SP key id of an Ed25519 key under a name. */
export function noteKeyId(keyName: string, publicKey: Uint8Array): Uint8Array {
  const name = encoder.encode(keyName);
  const data = new Uint8Array(name.length + 2 + publicKey.length);
  data.set(name);
  data[name.length] = 0x0a;
  data[name.length + 1] = 0x01;
  data.set(publicKey, name.length + 2);
  return sha256Sync(data).slice(0, 4);
}

/** The body of a checkpoint (what its signatures cover). */
export function checkpointBody(origin: string, size: number, root: Uint8Array): string {
  return `${origin}\n${size}\n${toBase64(root)}\n`;
}

/** A signed note from its body and one signature. */
export function formatNote(body: string, keyName: string, keyId: Uint8Array, signature: Uint8Array): string {
  const blob = new Uint8Array(keyId.length + signature.length);
  blob.set(keyId);
  blob.set(signature, keyId.length);
  return `${body}\n\u2014 ${keyName} ${toBase64(blob)}\n`;
}

/** Parses a checkpoint note; throws naming what is wrong. */
export function parseCheckpoint(note: string): Checkpoint {
  const split = note.indexOf('\n\n');
  if (split < 0) throw new Error('a signed note has a blank line between body and signatures');
  const body = note.slice(0, split + 1);
  const lines = body.split('\n');
  const [origin, sizeText, rootText] = lines;
  if (origin === undefined || origin === '' || sizeText === undefined || rootText === undefined) throw new Error('a checkpoint body has origin, size and root');
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText)) throw new Error(`tree size "${sizeText}" is not a number`);
  const root = fromBase64(rootText);
  if (root.length !== 32) throw new Error('the root hash is not 32 bytes');
  const signatures = note
    .slice(split + 2)
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const match = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
      if (match === null) throw new Error(`"${line}" is not a signature line`);
      const blob = fromBase64(match[2] as string);
      if (blob.length < 5) throw new Error('a signature line is too short');
      return { keyName: match[1] as string, keyId: blob.slice(0, 4), signature: blob.slice(4) };
    });
  return { origin, size: Number(sizeText), root, body, signatures };
}
