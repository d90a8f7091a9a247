/**
 * `npm run evidence:verify -- <package.json> [--key <base64 server public key>]`: checks a Travelog
 * evidence package offline (docs/evidence.md describes every check, so you can write your own).
 *
 * This file stands alone on purpose: it imports nothing but node:crypto and node:fs, needs no
 * network and no Travelog server, and runs with plain Node 24 (`node evidence-verify.ts pkg.json`).
 * It exits 0 and prints a summary when everything holds; otherwise 1, naming the first failure:
 * a changed value, an entry removed, added or reordered, a proof that does not reach the
 * checkpoint, a checkpoint not signed by the given key, or an event whose station signature does
 * not verify. 2: the file cannot be read or the arguments are wrong.
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** A value as text: strings as they are, anything else as JSON ('' for nothing). */
const str = (value: unknown): string => (typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value));


type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

/** What failed, in the words the summary uses. */
type FailureClass = 'format' | 'changed value' | 'entry removed' | 'entry added' | 'entries reordered' | 'proof' | 'checkpoint signature' | 'station signature';

class Failure extends Error {
  what: FailureClass;
  constructor(what: FailureClass, message: string) {
    super(message);
    this.what = what;
  }
}

const fail = (what: FailureClass, message: string): never => {
  throw new Failure(what, message);
};

const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);

/** RFC 8785 (JCS): keys sorted by UTF-16 code units, strings and numbers as ECMAScript writes them. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObj(value)) {
    const keys = Object.keys(value).filter((key) => value[key] !== undefined).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('not a JSON number');
  return JSON.stringify(value);
}

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};
const b64 = (text: string): Buffer => Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');

// RFC 9162 §2.1: leaf = SHA-256(0x00 ‖ entry), node = SHA-256(0x01 ‖ left ‖ right).
const leafHash = (text: string): Buffer => sha256(Buffer.from([0]), Buffer.from(text, 'utf8'));
const nodeHash = (left: Uint8Array, right: Uint8Array): Buffer => sha256(Buffer.from([1]), left, right);

/** RFC 9162 §2.1.3.2: does `proof` lead from the leaf at `index` to `root` of a tree of `size`? */
function inclusionHolds(index: number, size: number, leaf: Buffer, proof: readonly string[], root: Buffer): boolean {
  if (index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const text of proof) {
    const p = b64(text);
    if (sn === 0 || p.length !== 32) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) [fn, sn] = [fn >> 1, sn >> 1];
    } else r = nodeHash(r, p);
    [fn, sn] = [fn >> 1, sn >> 1];
  }
  return sn === 0 && r.equals(root);
}

const ED25519_SPKI = Buffer.from('302a300506032b6570032100', 'hex');
const ed25519Key = (raw: Buffer): KeyObject => createPublicKey({ key: Buffer.concat([ED25519_SPKI, raw]), format: 'der', type: 'spki' });

/** C2SP signed note: key id = first 4 bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key). */
const noteKeyId = (name: string, raw: Buffer): Buffer => sha256(Buffer.from(`${name}\n`), Buffer.from([1]), raw).subarray(0, 4);

interface Note {
  lines: string[];
  body: string;
  signatures: Array<{ name: string; keyId: Buffer; signature: Buffer }>;
}

function parseNote(note: string, what: string): Note {
  const split = note.indexOf('\n\n');
  if (split < 0) fail('format', `${what} is not a signed note`);
  const body = note.slice(0, split + 1);
  const signatures = note
    .slice(split + 2)
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const match = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
      if (match === null) return fail('format', `${what}: "${line}" is not a signature line`);
      const blob = b64(match[2] as string);
      return { name: match[1] as string, keyId: blob.subarray(0, 4), signature: blob.subarray(4) };
    });
  return { lines: body.split('\n').slice(0, -1), body, signatures };
}

function signedBy(note: Note, name: string, raw: Buffer): boolean {
  const id = noteKeyId(name, raw);
  return note.signatures.some((s) => s.name === name && s.keyId.equals(id) && verify(null, Buffer.from(note.body), ed25519Key(raw), s.signature));
}

/** The subjects of an entry, exactly as Travelog derives them (docs/audit.md, *Format 6*). */
export function entrySubjects(entry: Obj): string[] {
  const out = new Set<string>();
  const str = (v: unknown): v is string => typeof v === 'string' && v !== '';
  const ref = (r: unknown): void => {
    if (!isObj(r)) return;
    if (r['kind'] === 'serial' && str(r['serial'])) out.add(`serial:${r['serial']}`);
    else if (r['kind'] === 'lot' && str(r['lotId'])) out.add(`lot:${r['lotId']}`);
    else if (r['kind'] === 'workOrder' && str(r['workOrderId'])) out.add(`work-order:${r['workOrderId']}`);
    if (str(r['partNumber'])) out.add(`part:${r['partNumber']}`);
  };
  const event = entry['event'];
  if (entry['kind'] === 'receipt' && isObj(event) && isObj(event['payload'])) {
    const payload = event['payload'];
    ref(payload['unit']);
    ref(payload['subject']);
    ref(payload['material']);
    // An NCR opened by hand names its units as items; the genealogy events name a split's lot and
    // children, a merge's sources and new lot, a scrapped serial or lot.
    if (Array.isArray(payload['items'])) for (const item of payload['items']) if (isObj(item)) ref(item['unit']);
    ref(payload['lot']);
    ref(payload['into']);
    ref(payload['item']);
    for (const list of [payload['children'], payload['sources']]) if (Array.isArray(list)) for (const r of list) ref(r);
    if (str(payload['workOrderId'])) out.add(`work-order:${payload['workOrderId']}`);
  }
  if (str(entry['unit'])) out.add(entry['unit']);
  return [...out].sort();
}

/** A station's signature on an event: over the RFC 8785 text of every field but `signature`. */
function stationSignatureHolds(event: Obj, publicKey: string, keyAlg: string): boolean {
  const { signature, ...unsigned } = event;
  if (typeof signature !== 'string') return false;
  try {
    const key = createPublicKey({ key: b64(publicKey), format: 'der', type: 'spki' });
    const data = Buffer.from(canonical(unsigned), 'utf8');
    return keyAlg === 'ECDSA-P256' ? verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, b64(signature)) : verify(null, data, key, b64(signature));
  } catch {
    return false;
  }
}

const atPath = (value: unknown, path: string): unknown => path.split('.').reduce<unknown>((v, part) => (isObj(v) ? v[part] : undefined), value);

/** Checks a package; the summary lines, or a Failure thrown at the first thing that does not hold. */
export function verifyEvidence(pkg: unknown, pinnedKey?: string): string[] {
  if (!isObj(pkg) || pkg['format'] !== 'travelog-evidence/1') return fail('format', 'not a travelog-evidence/1 package');
  const checkpoint = pkg['checkpoint'] as Obj;
  const size = checkpoint['size'] as number;
  const root = b64(str(checkpoint['root']));
  const keys = pkg['keys'] as Obj[];
  const entries = pkg['entries'] as Obj[];
  const withheld = pkg['withheld'] as Obj[];
  const subjects = pkg['subjects'] as Obj[];
  const facts = pkg['facts'] as Obj;
  if (!Number.isSafeInteger(size) || root.length !== 32 || !Array.isArray(keys) || !Array.isArray(entries) || !Array.isArray(withheld) || !Array.isArray(subjects) || !isObj(facts)) {
    return fail('format', 'the package lacks its checkpoint, keys, entries, withheld entries, subjects or facts');
  }

  // 1. Entries in log order, each the canonical text of its place, proven to the checkpoint's root.
  const cited = new Map<number, Obj>();
  let last = -1;
  for (const item of entries) {
    const index = item['index'] as number;
    if (!Number.isSafeInteger(index) || index <= last) fail('entries reordered', `entry ${index} comes after entry ${last}: entries must be in log order`);
    last = index;
    const text = str(item['entry']);
    let entry: Obj;
    try {
      entry = JSON.parse(text) as Obj;
    } catch {
      return fail('changed value', `entry ${index} is not JSON`);
    }
    if (entry['index'] !== index || canonical(entry) !== text) fail('changed value', `entry ${index} is not the canonical text of log entry ${index}`);
    if (!inclusionHolds(index, size, leafHash(text), item['proof'] as string[], root)) fail('proof', `the inclusion proof of entry ${index} does not reach the checkpoint (size ${size})`);
    cited.set(index, entry);
  }
  const hidden = new Map<number, string[]>();
  for (const item of withheld) {
    const index = item['index'] as number;
    if (cited.has(index)) fail('entry added', `entry ${index} is both cited and withheld`);
    const leaf = b64(str(item['leafHash']));
    if (leaf.length !== 32 || !inclusionHolds(index, size, leaf, item['proof'] as string[], root)) fail('proof', `the inclusion proof of withheld entry ${index} does not reach the checkpoint (size ${size})`);
    hidden.set(index, (item['subjects'] as string[]) ?? []);
  }

  // 2. The server key in force at the checkpoint, recorded by a cited log.created or key.rotated entry.
  const inForce = keys.find((k) => (k['validFromIndex'] as number) <= size - 1 && (k['validUntilIndex'] === undefined || (k['validUntilIndex'] as number) >= size - 1));
  if (inForce === undefined) return fail('checkpoint signature', `no key of the package was in force at tree size ${size}`);
  const from = inForce['validFromIndex'] as number;
  const keyEntry = cited.get(from === 0 ? 0 : from - 1);
  if (keyEntry === undefined || !isObj(keyEntry['subject']) || keyEntry['subject']['publicKey'] !== inForce['publicKey']) {
    fail('checkpoint signature', `the key ${str(inForce['keyId'])} is not the one the log's entry ${from === 0 ? 0 : from - 1} records`);
  }
  const keyName = str(inForce['keyName']);
  const raw = b64(pinnedKey ?? str(inForce['publicKey']));
  for (const [field, what] of [['note', "the package's checkpoint"], ['logNote', "the log's checkpoint"]] as const) {
    const note = parseNote(str(checkpoint[field]), what);
    if (note.lines[1] !== str(size) || note.lines[2] !== root.toString('base64')) fail('changed value', `${what} is not of tree size ${size} with root ${root.toString('base64')}`);
    if (!signedBy(note, keyName, raw)) fail('checkpoint signature', `${what} is not signed by ${pinnedKey === undefined ? 'the key the log records' : 'the given key'}`);
  }

  // 3. Completeness: each subject's chain, from the head the checkpoint signs back along `prev`.
  const signedHeads = parseNote(str(checkpoint['note']), 'checkpoint').lines.slice(3);
  const listed = subjects.map((s) => {
    const { subject, head } = s as { subject: string; head: number | null };
    return `evidence-head ${head === null ? '-' : str(head)} ${JSON.stringify(subject)}`;
  });
  if (canonical(signedHeads) !== canonical(listed)) fail('changed value', 'the subjects and heads listed differ from those the checkpoint signs');
  const about = new Map<number, string[]>();
  for (const [index, entry] of cited) about.set(index, entrySubjects(entry));
  let uncheckedLinks = 0;
  for (const s of subjects) {
    const { subject, head } = s as { subject: string; head: number | null };
    const members = new Set([...about].filter(([, of]) => of.includes(subject)).map(([i]) => i));
    for (const [index, of] of hidden) if (of.includes(subject)) members.add(index);
    const seen = new Set<number>();
    for (let at: number | null = head; at !== null; ) {
      if (at >= size) fail('entry added', `the head of ${subject} (${at}) is beyond the checkpoint`);
      const entry = cited.get(at);
      if (entry === undefined && !hidden.has(at)) fail('entry removed', `entry ${at} about ${subject} is not in the package (its chain names it)`);
      if (entry !== undefined && !(about.get(at) as string[]).includes(subject)) fail('entry removed', `entry ${at} is not about ${subject}, yet its chain names it`);
      seen.add(at);
      let next: number | null;
      const prev = entry === undefined ? undefined : (entry['prev'] as Obj[] | undefined)?.find((p) => p['subject'] === subject);
      if (entry !== undefined && entry['format'] === 6) {
        if (prev === undefined) fail('entry removed', `entry ${at} names no previous entry about ${subject}`);
        next = (prev as Obj)['index'] as number | null;
      } else {
        // Withheld (its prev cannot be read) or written before format 6: the next member below is taken on trust.
        const below = [...members].filter((i) => i < at!);
        next = below.length === 0 ? null : Math.max(...below);
        if (next !== null) uncheckedLinks++;
      }
      if (next !== null && next >= at) fail('entries reordered', `entry ${at} names a later entry ${next} as the previous about ${subject}`);
      at = next;
    }
    for (const index of members) if (!seen.has(index)) fail('entry added', `entry ${index} about ${subject} is not in its chain up to the checkpoint`);
  }

  const SUPPORT = ['log.created', 'key.rotated', 'station.enrolled'];
  const chained = new Set(subjects.map((s) => (s as { subject: string }).subject));
  for (const [index, entry] of cited) {
    if (!SUPPORT.includes(str(entry['kind'])) && !(about.get(index) as string[]).some((subject) => chained.has(subject))) {
      fail('entry added', `entry ${index} is about none of the package's subjects`);
    }
  }

  // 4. Station signatures of the events carried, under the key the station's enrollment entry records.
  const enrollments = [...cited].filter(([, e]) => e['kind'] === 'station.enrolled');
  const withheldSupport = [...hidden.values()].some((of) => of.length === 0);
  let signatures = 0;
  let unchecked = 0;
  for (const [index, entry] of cited) {
    const event = entry['event'];
    if (entry['kind'] !== 'receipt' || !isObj(event) || typeof event['signature'] !== 'string') continue;
    const enrolled = enrollments.filter(([i, e]) => i < index && e['stationId'] === event['stationId']).at(-1)?.[1];
    if (enrolled === undefined || !isObj(enrolled['subject'])) {
      if (!withheldSupport) fail('station signature', `the enrollment entry of station ${str(event['stationId'])}, whose key checks event ${str(event['id'])} (entry ${index}), is not in the package`);
      unchecked++;
      continue;
    }
    const { publicKey, keyAlg } = enrolled['subject'] as { publicKey?: string; keyAlg?: string };
    const alg = typeof event['keyAlg'] === 'string' ? event['keyAlg'] : (keyAlg ?? 'Ed25519');
    if (typeof publicKey !== 'string' || !stationSignatureHolds(event, publicKey, alg)) {
      fail('station signature', `the station signature of event ${str(event['id'])} (entry ${index}) does not verify under station ${str(event['stationId'])}'s enrolled key`);
    }
    signatures++;
  }

  // 5. Facts: every recorded value is what its cited entry holds.
  let factCount = 0;
  for (const [section, list] of Object.entries(facts)) {
    if (!Array.isArray(list)) fail('format', `facts.${section} is not a list`);
    (list as Obj[]).forEach((f, i) => {
      factCount++;
      const recorded = f['recorded'] as Obj;
      if (f['entry'] === undefined) {
        if (Object.keys(recorded ?? {}).length > 0) fail('changed value', `facts.${section}[${i}] records values but cites no entry`);
        return;
      }
      const entry = cited.get(f['entry'] as number);
      if (entry === undefined) return fail('entry removed', `facts.${section}[${i}] cites entry ${str(f['entry'])}, which is not in the package`);
      for (const [path, value] of Object.entries(recorded)) {
        const found = atPath(entry, path);
        if (found === undefined || canonical(found) !== canonical(value)) {
          fail('changed value', `facts.${section}[${i}] says ${path} is ${canonical(value)}, but entry ${str(f['entry'])} records ${found === undefined ? 'nothing' : canonical(found)}`);
        }
      }
    });
  }

  const query = pkg['query'] as Obj;
  const lines = [
    `OK: evidence for ${str(query['kind'])} ${str(query['id'])}, proven against checkpoint ${size} (root ${root.toString('base64')}) signed by key ${str(inForce['keyId'])} (${pinnedKey === undefined ? 'the key the log records; pass --key to pin it' : 'the given key'})`,
    `${cited.size} entries proven by inclusion, ${subjects.length} subjects complete up to the checkpoint, ${signatures} station signatures verified, ${factCount} facts match their entries`,
  ];
  if (hidden.size > 0) lines.push(`WITHHELD: ${hidden.size} entries of programs this package's reader is not cleared for, checked by leaf hash and proof only; ${uncheckedLinks} chain links across them (or across entries older than format 6) taken on trust`);
  else if (uncheckedLinks > 0) lines.push(`NOT CHECKED: ${uncheckedLinks} chain links across entries older than format 6`);
  if (unchecked > 0) lines.push(`NOT CHECKED: the station signature of ${unchecked} events, whose station's enrollment entry is withheld`);
  if (pkg['truncated'] === true) lines.push('NOTE: the genealogy walk was cut short; units beyond it are not in the package');
  return lines;
}

function main(argv: string[]): number {
  const keyAt = argv.indexOf('--key');
  const key = keyAt >= 0 ? argv[keyAt + 1] : undefined;
  const files = argv.filter((arg, i) => !arg.startsWith('--') && (keyAt < 0 || i !== keyAt + 1));
  if (files.length !== 1 || (keyAt >= 0 && (key === undefined || b64(key).length !== 32))) {
    process.stderr.write('usage: evidence:verify <package.json> [--key <base64 Ed25519 server public key>]\n');
    return 2;
  }
  let pkg: unknown;
  try {
    pkg = JSON.parse(readFileSync(files[0] as string, 'utf8'));
  } catch (error) {
    process.stderr.write(`cannot read ${str(files[0])}: ${(error as Error).message}\n`);
    return 2;
  }
  try {
    process.stdout.write(`${verifyEvidence(pkg, key).join('\n')}\n`);
    return 0;
  } catch (error) {
    if (error instanceof Failure) {
      process.stdout.write(`FAILED (${error.what}): ${error.message}\n`);
      return 1;
    }
    process.stdout.write(`FAILED (format): ${(error as Error).message}\n`);
    return 1;
  }
}

if (process.argv[1]?.endsWith('evidence-verify.ts') === true) process.exitCode = main(process.argv.slice(2));
