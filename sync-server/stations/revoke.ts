/**
 * Revoking a station (docs/sync-spec.md S19): a supervisor or quality engineer signs, badge and PIN
 * entered again, with the stated meaning and a typed reason. The station's `revokedAt` and its
 * `station.revoked` audit entry (actor, role, the signature's manifestation, the reason, and the
 * station the request came from) commit in one transaction under the server-sequence lock, or
 * neither does. From then on the station's credential is refused (S2) and its pushes are kept in
 * quarantine, flagged `security:revoked-station` (S17).
 */
import type { RevokeRequest, RevokeResponse, StationSummary } from '../../schemas/stations.ts';
import { REVOKE_MEANING } from '../../schemas/stations.ts';
import { ApiFailure } from '../api-error.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Station } from '../store/store.ts';
import { signedStationAction } from './refusals.ts';
import type { SignerContext } from './signer.ts';

/** What a revocation needs besides the request. */
export interface RevokeContext extends SignerContext {
  /** The log the revocation is recorded in. */
  audit: AuditLog;
}

/**
 * A station as a supervisor's list at station `viewer` shows it: no credential hash, and of its
 * programs only those the viewer is cleared for too (the others are counted).
 */
export function stationSummary(station: Station, viewer: Station): StationSummary {
  const programs = station.programs.filter((program) => viewer.programs.includes(program));
  return {
    id: station.id,
    name: station.name,
    enrolledBy: station.enrolledBy,
    enrolledAt: station.enrolledAt,
    revokedAt: station.revokedAt,
    keyAlg: station.keyAlg,
    programs: [...programs].sort(),
    otherPrograms: station.programs.length - programs.length,
  };
}

/** The action as a refusal names it. */
const REVOKE_ACTION = 'revoke a station';

/**
 * Revokes station `stationId` on the signature in `request`, asked from station `from`. Throws
 * {@link ApiFailure}: 400 for an empty reason, the signer's refusals (./signer.ts), 404 for an
 * unknown station, 409 for one already revoked; a refusal changes neither the station nor the log.
 */
export async function revokeStation(context: RevokeContext, from: Station, stationId: string, request: RevokeRequest): Promise<RevokeResponse> {
  const reason = request.reason.trim();
  if (reason === '') throw new ApiFailure(400, 'invalid-request', 'body/reason must say why the station is revoked; it is part of the signed record');
  return signedStationAction(context, from, stationId, request, { action: REVOKE_ACTION, meaning: REVOKE_MEANING, reason }, async (_signer, target, record) => {
    const { store, audit } = context;
    if (target.revokedAt !== null) throw alreadyRevoked(target.name, target.revokedAt);

    const auditIndex = await store.locked(async (tx) => {
      // Checked again under the lock: another revocation may have committed since the read above.
      if (!(await tx.revokeStation(stationId, new Date(record.signedAt)))) throw alreadyRevoked(target.name, null);
      const index = await audit.size(tx.sql);
      await audit.append(tx.sql, [record.entry('station.revoked', {})]);
      return index;
    });
    return { station: stationSummary({ ...target, revokedAt: record.signedAt }, from), signature: record.signature, auditIndex };
  });
}

function alreadyRevoked(name: string, at: string | null): ApiFailure {
  return new ApiFailure(409, 'invalid-request', `Station ${name} was already revoked${at === null ? '' : ` at ${at}`}`);
}
