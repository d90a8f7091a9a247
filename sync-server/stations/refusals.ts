/**
 * Refused e-signatures at the server as audit entries (21 CFR 11.10(d), 11.300(d): attempted
 * unauthorized use is recorded). Each refusal of a signer on a route behind the station credential
 * (revocation, a change of programs) appends a `signature.refused` entry: the badge named, the
 * action tried and the station it was about, the station the attempt came from, and why it was
 * refused, never anything of the PIN. The wrong PIN that locks a badge appends a
 * `signature.locked-out` entry too. Each commits in its own transaction, before the refusal is
 * answered; the answer is the same as without it.
 *
 * Enrollment is not recorded this way: its route carries no station credential, so anyone on the
 * network could grow the signed log with made-up badges. Its wrong PINs count in the shared lockout.
 */
import type { Operator } from '../../schemas/operator.ts';
import { ApiFailure } from '../api-error.ts';
import type { AuditLog, EntryDraft } from '../audit/audit-log.ts';
import type { Station, Store } from '../store/store.ts';
import type { SignerContext, SignerRefusal } from './signer.ts';
import { STATION_ADMIN_ROLES, withSigner } from './signer.ts';

/** What a refusal entry says about the attempt besides the refusal itself. */
export interface AttemptContext {
  store: Store;
  audit: AuditLog;
  now: () => Date;
  /** The station the request came from (its credential). */
  from: Station;
  /** The action as the refusal message names it: `revoke a station`. */
  action: string;
  /** The station the action was about. */
  target: { stationId: string; name: string | null };
}

function describe(refusal: SignerRefusal, action: string): string {
  switch (refusal.kind) {
    case 'wrong-pin':
      return `Wrong PIN or unknown badge ${refusal.badge} signing to ${action}`;
    case 'locked-out':
      return `Badge ${refusal.badge} is locked out after wrong PINs; its signature to ${action} was refused unchecked`;
    case 'role':
      return `Badge ${refusal.badge} has role ${refusal.role}, which may not ${action}`;
  }
}

/** The entries one refusal appends. */
export function refusalEntries(context: Omit<AttemptContext, 'store' | 'audit'>, refusal: SignerRefusal): EntryDraft[] {
  const at = context.now().toISOString();
  const common = {
    recordedAt: at,
    actor: refusal.badge,
    stationId: context.target.stationId,
  };
  const subject = {
    action: context.action,
    refusal: refusal.kind,
    target: context.target,
    requestedFrom: { stationId: context.from.id, name: context.from.name },
    ...(refusal.kind === 'role' ? { role: refusal.role } : { failures: refusal.lockout.failures, lockedUntil: refusal.lockout.lockedUntil === null ? null : new Date(refusal.lockout.lockedUntil).toISOString() }),
  };
  const entries: EntryDraft[] = [{ kind: 'signature.refused', ...common, ...(refusal.kind === 'role' ? { role: refusal.role } : {}), reason: describe(refusal, context.action), subject }];
  if (refusal.kind === 'wrong-pin' && refusal.lockedNow) {
    entries.push({
      kind: 'signature.locked-out',
      ...common,
      reason: `Badge ${refusal.badge} locked out after ${refusal.lockout.failures} wrong PINs in a row`,
      subject,
    });
  }
  return entries;
}

/** The refusal hook of withSigner that records each refusal in the audit log. */
export function recordRefusals(context: AttemptContext): (refusal: SignerRefusal) => Promise<void> {
  return async (refusal) => {
    const entries = refusalEntries(context, refusal);
    await context.store.locked((tx) => context.audit.append(tx.sql, entries));
  };
}

/** What a signed station action records: the signature's manifestation, and its audit entry. */
export interface SignedRecord<Meaning extends string> {
  signedAt: string;
  signature: { signerBadge: string; printedName: string; meaning: Meaning; reason: string; signedAt: string };
  /** The action's audit entry: signer, role, station, reason and signature, with `subject`. */
  entry(kind: EntryDraft['kind'], subject: Record<string, unknown>): EntryDraft;
}

/**
 * A supervisor's signed action on station `stationId`, asked from station `from` (a revocation, a
 * change of programs): the signer checked as {@link withSigner} does, each refusal recorded against
 * the station, then `act` with the signer, the station as enrolled after the check, and what the
 * signature records (its manifestation with `meaning` and `reason`, and the entry to append).
 * Throws 404 if no such station is enrolled.
 */
export async function signedStationAction<T, Meaning extends string>(
  context: SignerContext & { audit: AuditLog },
  from: Station,
  stationId: string,
  request: { signerBadge: string; pin: string },
  what: { action: string; meaning: Meaning; reason: string },
  act: (signer: Operator, target: Station, record: SignedRecord<Meaning>) => Promise<T>,
): Promise<T> {
  const { action, meaning, reason } = what;
  const named = (await context.store.listStations()).find((station) => station.id === stationId);
  const onRefused = recordRefusals({ ...context, from, action, target: { stationId, name: named?.name ?? null } });
  return withSigner(context, { badge: request.signerBadge, pin: request.pin }, { roles: STATION_ADMIN_ROLES, action, onRefused }, async (signer) => {
    // Read again: the station may have changed while the signature was checked.
    const target = (await context.store.listStations()).find((station) => station.id === stationId);
    if (target === undefined) throw new ApiFailure(404, 'not-found', `No station ${stationId} is enrolled`);
    const signedAt = context.now().toISOString();
    const signature = { signerBadge: signer.badge, printedName: signer.name, meaning, reason, signedAt };
    const requestedFrom = { stationId: from.id, name: from.name };
    return act(signer, target, {
      signedAt,
      signature,
      entry: (kind, subject) => ({ kind, recordedAt: signedAt, actor: signer.badge, role: signer.role, stationId, reason, signature, subject: { name: target.name, ...subject, requestedFrom } }),
    });
  });
}
