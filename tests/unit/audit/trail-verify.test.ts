/**
 * The browser's verified mark (src/audit/trail-verify.ts) against a tampered trail: every field of
 * an entry changed, an entry missing from the log, wrong inclusion proofs, a checkpoint signed by a
 * key the station does not trust, a station event re-signed with another key. Each makes the mark
 * false and names why. And the trust anchor (src/audit/trust-anchor.ts): rotations are followed
 * only when a trusted key signed them (docs/sync-spec.md S21).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ServerKeyInfo, TrailResponse } from '../../../schemas/audit-api.ts';
import type { AuditEntry, StoredEntry } from '../../../schemas/audit-entry.ts';
import type { StationEvent } from '../../../schemas/event.ts';
import { canonicalText, fromBase64, toBase64, toBase64Url } from '../../../src/audit/canonical.ts';
import { verifyTrail, type Enrollment, type TrailVerdict } from '../../../src/audit/trail-verify.ts';
import { extendTrust, keysToPin, untrustedKeys } from '../../../src/audit/trust-anchor.ts';
import { newServerKey, signWith as serverSign } from '../../../sync-server/audit/server-key.ts';
import { signWith, testKey } from '../../helpers/signing.ts';
import { FixtureLog, KEY_NAME, infoOf, noteOf, storedOf, treeOf } from './trail-fixture.ts';

const UNIT = 'serial:SN-1003-01';
const encoder = new TextEncoder();

/** A value of the same JSON type, but different. */
function changed(value: unknown): unknown {
  if (typeof value === 'string') return `${value}x`;
  if (typeof value === 'number') return value + 1;
  if (typeof value === 'boolean') return !value;
  if (Array.isArray(value)) return [...(value as unknown[]), 'clock-skew'];
  if (value !== null && typeof value === 'object') return { ...value, tampered: true };
  return 'x';
}

const clone = <T>(value: T): T => structuredClone(value);

let log: FixtureLog;
let pinned: ServerKeyInfo[];

/** Verifies a trail as the audit screen does, with the station's enrollment at the trail's checkpoint. */
function verify(trail: TrailResponse, options: { trusted?: readonly ServerKeyInfo[]; enrollment?: Enrollment; problems?: string[] } = {}): Promise<TrailVerdict> {
  const enrollment = options.enrollment ?? log.enrollment(log.station.id, trail.checkpoint.size);
  return verifyTrail({ trail, trustedKeys: options.trusted ?? pinned, trustProblems: options.problems ?? [], enrollments: new Map([[log.station.id, enrollment]]), unit: UNIT });
}

function failuresOf(verdict: TrailVerdict, index: number): string {
  const entry = verdict.entries.find((e) => e.index === index);
  if (entry === undefined) throw new Error(`no verdict for entry ${index}`);
  expect(entry.verified, `entry ${index} should not be verified`).toBe(false);
  expect(entry.failures.length).toBeGreaterThan(0);
  return entry.failures.join('; ');
}

beforeAll(() => {
  log = new FixtureLog();
  pinned = keysToPin(log.keys);
  log.receipt('op.started', 'SN-1003-01');
  log.receipt('op.started', 'SN-1003-02');
  log.receipt('op.completed', 'SN-1003-01');
  log.receipt('op.started', 'SN-1003-01', 'OP20');
  log.receipt('op.completed', 'SN-1003-01', 'OP20');
});

describe('an untouched trail', () => {
  it('verifies every entry: server signature, inclusion at the checkpoint, station signature', async () => {
    const verdict = await verify(log.trail(UNIT));
    expect(verdict.checkpoint).toMatchObject({ verified: true, size: log.entries.length, keyId: log.key.keyId });
    expect(verdict.entries).toHaveLength(4);
    for (const entry of verdict.entries) {
      expect(entry.failures).toEqual([]);
      expect(entry.verified).toBe(true);
      expect(entry.passed).toEqual([expect.stringMatching(/^server signature/), expect.stringMatching(/^included in the log/), expect.stringMatching(/^station signature/)]);
    }
  });

  it('[S20] verifies with a note when the station\'s enrollment is withheld for program clearance', async () => {
    const verdict = await verify(log.trail(UNIT), { enrollment: { withheld: 'names a program this station is not cleared for' } });
    expect(verdict.entries.every((e) => e.verified)).toBe(true);
    expect(verdict.entries[0]?.notes).toEqual([expect.stringMatching(/station signature not checked: .*withheld/)]);
  });
});

describe('entries newer than the latest checkpoint', () => {
  it('are awaiting the checkpoint, not failed: every other check passed, and the next checkpoint proves them', async () => {
    const size = log.entries.length - 1;
    const before = log.checkpoint(log.key, log.entries.slice(0, size));
    const verdict = await verify(log.trail(UNIT, before), { enrollment: log.enrollment(log.station.id, size) });
    const newest = verdict.entries.at(-1)!;
    expect(newest.index).toBe(size);
    expect(newest).toMatchObject({ verified: false, awaitingCheckpoint: true, failures: [] });
    expect(newest.notes).toEqual([expect.stringMatching(/newer than the latest checkpoint .*proven at the next one/)]);
    expect(newest.passed).toEqual([expect.stringMatching(/^server signature/), expect.stringMatching(/^station signature/)]);
    expect(verdict.entries.slice(0, -1).every((e) => e.verified && !e.awaitingCheckpoint)).toBe(true);
    // The next checkpoint proves it.
    const after = await verify(log.trail(UNIT));
    expect(after.entries.at(-1)).toMatchObject({ verified: true, awaitingCheckpoint: false });
  });
});

describe('tampering, each making the mark false with a reason', () => {
  it('every field of an entry changed, and its signature', async () => {
    const trail = log.trail(UNIT);
    const target = trail.entries[1]!;
    const entry = JSON.parse(target.entry) as Record<string, unknown>;
    expect(Object.keys(entry).length).toBeGreaterThanOrEqual(15);
    for (const field of Object.keys(entry)) {
      const tampered = clone(trail);
      tampered.entries[1] = { ...target, entry: canonicalText({ ...entry, [field]: changed(entry[field]) }) };
      const reasons = failuresOf(await verify(tampered), target.index);
      const expected = field === 'index' ? /says it is entry/ : field === 'keyId' ? /which this station does not trust/ : /server signature \(key [0-9a-f]{8}\) does not verify/;
      expect(reasons, field).toMatch(expected);
      expect(reasons, field).toMatch(/inclusion proof does not lead to the root/);
    }
    const resigned = clone(trail);
    resigned.entries[1] = { ...target, signature: toBase64Url(new Uint8Array(64)) };
    expect(failuresOf(await verify(resigned), target.index)).toMatch(/server signature .* does not verify/);
    // Re-encoded (same content, not RFC 8785): caught before any signature.
    const reencoded = clone(trail);
    reencoded.entries[1] = { ...target, entry: JSON.stringify(entry, null, 1) };
    expect(failuresOf(await verify(reencoded), target.index)).toMatch(/not in its RFC 8785 form/);
  });

  it('an entry missing from the log, the later entries moved up to close the gap', async () => {
    const trail = log.trail(UNIT);
    const gone = trail.entries[0]!.index;
    const shortened: StoredEntry[] = log.entries.filter((e) => e.index !== gone).map((e, position) => ({ ...e, index: position }));
    // Without the key the old checkpoint is all there is to serve; proofs are made over what is left.
    const tree = treeOf(shortened);
    const served: TrailResponse = {
      ...trail,
      entries: shortened
        .filter((e) => (JSON.parse(e.entry) as AuditEntry).unit === UNIT)
        .map((e) => ({ ...e, proof: tree.proof(e.index, shortened.length) })),
    };
    const verdict = await verify(served);
    expect(verdict.checkpoint.verified).toBe(true);
    expect(verdict.entries).toHaveLength(3);
    for (const entry of served.entries) {
      const reasons = failuresOf(verdict, entry.index);
      expect(reasons).toMatch(/says it is entry \d+, served as \d+/);
      expect(reasons).toMatch(/inclusion proof does not lead to the root/);
    }
  });

  it('a wrong inclusion proof: a hash changed, another entry\'s proof, cut short, not base64, or none', async () => {
    const trail = log.trail(UNIT);
    const target = trail.entries[2]!;
    const proof = target.proof!;
    expect(proof.length).toBeGreaterThan(1);
    const flipped = fromBase64(proof[0]!);
    flipped[7] = flipped[7]! ^ 0x01;
    const variants: Array<[string, Partial<TrailResponse['entries'][number]>, RegExp]> = [
      ['a hash changed', { proof: [toBase64(flipped), ...proof.slice(1)] }, /inclusion proof does not lead to the root/],
      ["another entry's proof", { proof: trail.entries[0]!.proof! }, /inclusion proof does not lead to the root/],
      ['cut short', { proof: proof.slice(0, -1) }, /inclusion proof does not lead to the root/],
      ['a hash too many', { proof: [...proof, proof[0]!] }, /inclusion proof does not lead to the root/],
      ['not base64', { proof: ['!!!', ...proof.slice(1)] }, /not base64|does not lead to the root/],
    ];
    for (const [name, change, reason] of variants) {
      const tampered = clone(trail);
      tampered.entries[2] = { ...target, ...change };
      expect(failuresOf(await verify(tampered), target.index), name).toMatch(reason);
    }
    const none = clone(trail);
    none.entries[2] = { index: target.index, entry: target.entry, ...(target.signature === undefined ? {} : { signature: target.signature }) };
    expect(failuresOf(await verify(none), target.index)).toMatch(/no inclusion proof was served for entry \d+, which checkpoint \d+ covers/);
  });

  it('a checkpoint signed by a key the station did not pin, even when the server publishes that key', async () => {
    const intruder = newServerKey(KEY_NAME);
    const trail = log.trail(UNIT);
    const size = trail.checkpoint.size;
    const swapped: TrailResponse = { ...clone(trail), checkpoint: { size, note: noteOf(intruder, size, treeOf(log.entries).root(size)) }, keys: [infoOf(intruder, 0)] };
    const verdict = await verify(swapped);
    expect(verdict.checkpoint.verified).toBe(false);
    expect(verdict.checkpoint.reason).toMatch(new RegExp(`signed by key ${intruder.keyId}, not by a server key this station trusts`));
    for (const entry of swapped.entries) expect(failuresOf(verdict, entry.index)).toMatch(/checkpoint is not verified/);

    // The whole log re-signed with the intruder's key, entries and checkpoint alike: still nothing verifies.
    const forged = log.entries.map((e) => storedOf({ ...(JSON.parse(e.entry) as AuditEntry), keyId: intruder.keyId }, intruder));
    const forgedTrail = log.trail(UNIT, { size, note: noteOf(intruder, size, treeOf(forged).root(size)) }, forged);
    forgedTrail.keys = [infoOf(intruder, 0)];
    const all = await verify(forgedTrail, { enrollment: log.enrollment(log.station.id, size, forged) });
    expect(all.checkpoint.verified).toBe(false);
    for (const entry of forgedTrail.entries) expect(failuresOf(all, entry.index)).toMatch(/signed by server key [0-9a-f]{8}, which this station does not trust/);
  });

  it('a checkpoint signature that does not verify under the pinned key', async () => {
    const trail = clone(log.trail(UNIT));
    const lines = trail.checkpoint.note.split('\n');
    trail.checkpoint.note = trail.checkpoint.note.replace(lines[2]!, toBase64(new Uint8Array(32).fill(7)));
    const verdict = await verify(trail);
    expect(verdict.checkpoint).toMatchObject({ verified: false, reason: expect.stringMatching(/signature by server key .* does not verify/) });
  });

  it('a station event re-signed with another key, even with the entry re-signed by the server and a new checkpoint', async () => {
    const trail = log.trail(UNIT);
    const target = trail.entries[1]!;
    const entry = JSON.parse(target.entry) as AuditEntry;
    const event = signWith(testKey(), { ...(entry.event as StationEvent), actor: 'B-1005' });
    const entries = log.entries.map((e) => (e.index === target.index ? storedOf({ ...entry, event }, log.key) : e));
    const checkpoint = { size: entries.length, note: noteOf(log.key, entries.length, treeOf(entries).root(entries.length)) };
    const verdict = await verify(log.trail(UNIT, checkpoint, entries), { enrollment: log.enrollment(log.station.id, entries.length, entries) });
    expect(verdict.checkpoint.verified).toBe(true);
    const reasons = failuresOf(verdict, target.index);
    expect(reasons).toMatch(new RegExp(`station signature on event ${event.id} does not verify with the key enrolled at entry 1`));
    expect(reasons).not.toMatch(/server signature|inclusion/);
    expect(verdict.entries.filter((e) => e.index !== target.index).every((e) => e.verified)).toBe(true);
  });

  it('an entry about another unit served in this unit\'s trail', async () => {
    const trail = log.trail('serial:SN-1003-02');
    const verdict = await verify(trail);
    expect(failuresOf(verdict, trail.entries[0]!.index)).toMatch(/about serial:SN-1003-02, work-order:WO-1003, not serial:SN-1003-01/);
  });
});

describe('[S21] the pinned trust anchor and key rotation', () => {
  it('refuses to pin a key whose id is not its own, or nothing', () => {
    const key = infoOf(newServerKey(KEY_NAME), 0);
    expect(() => keysToPin([{ ...key, keyId: 'deadbeef' }])).toThrow(/not the key its id names/);
    expect(() => keysToPin([])).toThrow(/no audit key/);
    expect(keysToPin([key])).toEqual([key]);
  });

  it('follows a rotation signed by the pinned key, and checks old entries under the old key and new ones under the new', async () => {
    const rotating = new FixtureLog();
    const anchor = keysToPin(rotating.keys);
    rotating.receipt('op.started', 'SN-1003-01');
    const old = rotating.key;
    const next = rotating.rotate();
    rotating.receipt('op.completed', 'SN-1003-01');
    const trail = rotating.trail(UNIT);
    expect(untrustedKeys(anchor, trail.keys)).toEqual([{ key: expect.objectContaining({ keyId: next.keyId }), rotationIndex: 3 }]);

    // Without the rotation the new checkpoint is refused.
    const before = await verifyTrail({ trail, trustedKeys: anchor, enrollments: new Map([[rotating.station.id, rotating.enrollment(rotating.station.id, trail.checkpoint.size)]]), unit: UNIT });
    expect(before.checkpoint.verified).toBe(false);

    const trust = await extendTrust(anchor, [rotating.entries[3]!]);
    expect(trust.problems).toEqual([]);
    expect(trust.added.map((k) => [k.keyId, k.validFromIndex])).toEqual([[next.keyId, 4]]);
    expect(trust.keys.find((k) => k.keyId === old.keyId)?.validUntilIndex).toBe(3);
    const after = await verifyTrail({ trail, trustedKeys: trust.keys, enrollments: new Map([[rotating.station.id, rotating.enrollment(rotating.station.id, trail.checkpoint.size)]]), unit: UNIT });
    expect(after.checkpoint).toMatchObject({ verified: true, keyId: next.keyId });
    expect(after.entries.map((e) => [e.index, e.verified])).toEqual([[2, true], [4, true]]);

    // The old key, once rotated away, may not sign a later checkpoint (a leaked old key file).
    const stale = await verifyTrail({ trail: { ...trail, checkpoint: rotating.checkpoint(old) }, trustedKeys: trust.keys, enrollments: new Map(), unit: UNIT });
    expect(stale.checkpoint).toMatchObject({ verified: false, reason: expect.stringMatching(/not in force/) });
  });

  it('refuses a rotation not signed by a trusted key, so the key it names never verifies a checkpoint', async () => {
    const hijacked = new FixtureLog();
    const anchor = keysToPin(hijacked.keys);
    hijacked.receipt('op.started', 'SN-1003-01');
    const intruder = newServerKey(KEY_NAME);
    const successor = hijacked.rotate(newServerKey(KEY_NAME), intruder);
    hijacked.receipt('op.completed', 'SN-1003-01');
    const trail = hijacked.trail(UNIT);
    const trust = await extendTrust(anchor, [hijacked.entries[3]!]);
    expect(trust.added).toEqual([]);
    expect(trust.problems).toEqual([expect.stringMatching(new RegExp(`entry 3 is not accepted: it is signed by key ${intruder.keyId}, which this station does not trust`))]);
    const verdict = await verifyTrail({ trail, trustedKeys: trust.keys, trustProblems: trust.problems, enrollments: new Map(), unit: UNIT });
    expect(verdict.checkpoint.verified).toBe(false);
    expect(verdict.checkpoint.reason).toContain(successor.keyId);
    expect(verdict.checkpoint.reason).toMatch(/is not accepted/);
    expect(verdict.entries.every((e) => !e.verified)).toBe(true);
  });

  it('refuses a rotation whose named key was changed after signing, and a second rotation away from the same key', async () => {
    const forked = new FixtureLog();
    const anchor = keysToPin(forked.keys);
    const first = forked.key;
    forked.rotate();
    const rotation = forked.entries.at(-1)!;
    const entry = JSON.parse(rotation.entry) as AuditEntry;
    const other = newServerKey(KEY_NAME);
    const altered = { ...rotation, entry: canonicalText({ ...entry, subject: { publicKey: toBase64(other.publicKey), keyId: other.keyId, keyName: KEY_NAME } }) };
    expect((await extendTrust(anchor, [altered])).problems).toEqual([expect.stringMatching(/signature by key .* does not verify/)]);

    // The first key signs a second rotation later on: the first one already ended its validity.
    const second = storedOf({ ...entry, index: 7, subject: { publicKey: toBase64(other.publicKey), keyId: other.keyId, keyName: KEY_NAME }, keyId: first.keyId }, first);
    const trust = await extendTrust(anchor, [rotation, second]);
    expect(trust.added).toHaveLength(1);
    expect(trust.problems).toEqual([expect.stringMatching(/entry 7 is not accepted: key [0-9a-f]{8} was not in force/)]);
    // And a signature over other bytes than the entry (say, the entry re-encoded) is no rotation.
    const resigned = { ...rotation, signature: toBase64Url(serverSign(first, encoder.encode(`${rotation.entry} `))) };
    expect((await extendTrust(anchor, [resigned])).added).toEqual([]);
  });
});

describe('a trail of format 6 entries (not signed one by one; each names the previous entry about its unit)', () => {
  let v6: FixtureLog;
  const verify6 = (trail: TrailResponse) =>
    verifyTrail({ trail, trustedKeys: keysToPin(v6.keys), enrollments: new Map([[v6.station.id, v6.enrollment(v6.station.id, trail.checkpoint.size)]]), unit: UNIT });

  beforeAll(() => {
    v6 = new FixtureLog();
    // Two entries of an earlier version about the unit, then format 6 from here on: one trail spans both.
    v6.receipt('op.started', 'SN-1003-01');
    v6.receipt('op.started', 'SN-1003-02');
    v6.format6 = true;
    v6.receipt('op.completed', 'SN-1003-01');
    v6.receipt('op.started', 'SN-1003-02', 'OP20');
    v6.receipt('op.started', 'SN-1003-01', 'OP20');
    v6.receipt('op.completed', 'SN-1003-01', 'OP20');
  });

  it('verifies by the checkpoint, with no signature of their own, and says what each follows', async () => {
    const trail = v6.trail(UNIT);
    expect(trail.entries.filter((e) => e.signature === undefined)).toHaveLength(3);
    const verdict = await verify6(trail);
    expect(verdict.checkpoint.verified).toBe(true);
    expect(verdict.entries.map((e) => [e.index, e.verified, e.failures])).toEqual(trail.entries.map((e) => [e.index, true, []]));
    const [, second, third] = verdict.entries;
    expect(second?.passed).toContain('follows entry 2 about serial:SN-1003-01');
    expect(third?.passed).toContain(`follows entry ${second?.index} about serial:SN-1003-01`);
    expect(third?.passed.join('; ')).not.toMatch(/server signature/);
  });

  it('a look-up of several subjects (a part: its work orders) follows each subject\'s chain, across the change of format', async () => {
    const subjects = ['work-order:WO-1003', 'work-order:WO-OTHER'];
    const verifyMany = (trail: TrailResponse) =>
      verifyTrail({ trail, trustedKeys: keysToPin(v6.keys), enrollments: new Map([[v6.station.id, v6.enrollment(v6.station.id, trail.checkpoint.size)]]), subjects });
    const trail = v6.trail(subjects);
    expect(trail.entries).toHaveLength(6);
    const verdict = await verifyMany(trail);
    expect(verdict.entries.map((e) => [e.index, e.verified, e.failures])).toEqual(trail.entries.map((e) => [e.index, true, []]));
    // The first format 6 entry follows the older entry about the work order (audit_units indexes it so).
    expect(verdict.entries[2]?.passed).toContain('follows entry 3 about work-order:WO-1003');
    const gap = clone(trail);
    const left = gap.entries.splice(3, 1)[0]!;
    expect(failuresOf(await verifyMany(gap), gap.entries[3]!.index)).toMatch(new RegExp(`entry ${left.index} about work-order:WO-1003 is left out of the trail`));
  });

  it('an entry left out of the trail is named by the one after it', async () => {
    const trail = v6.trail(UNIT);
    const left = trail.entries[2]!;
    trail.entries.splice(2, 1);
    const verdict = await verify6(trail);
    expect(failuresOf(verdict, trail.entries[2]!.index)).toMatch(new RegExp(`entry ${left.index} about serial:SN-1003-01 is left out of the trail`));
    // Withheld entries (program clearance) may be the missing one: noted, not failed.
    const verdictWithheld = await verify6({ ...trail, withheld: 1 });
    const after = verdictWithheld.entries.find((e) => e.index === trail.entries[2]!.index)!;
    expect(after.verified).toBe(true);
    expect(after.notes.join('; ')).toMatch(/withheld/);
  });

  it('an unsigned entry that does not say it is of format 6 fails, and so does one that is not in the checkpoint', async () => {
    const trail = v6.trail(UNIT);
    const target = trail.entries[2]!;
    const entry = JSON.parse(target.entry) as AuditEntry;
    const older: Partial<AuditEntry> = { ...entry };
    delete older.format;
    const downgraded = clone(trail);
    downgraded.entries[2] = { ...target, entry: canonicalText(older) };
    expect(failuresOf(await verify6(downgraded), target.index)).toMatch(/no server signature, and it is not of format 6/);
    const unproven = clone(trail);
    unproven.entries[2] = { index: target.index, entry: target.entry };
    expect(failuresOf(await verify6(unproven), target.index)).toMatch(/no inclusion proof was served for entry \d+, which checkpoint \d+ covers/);
  });
});
