/**
 * Changing the programs a station is cleared for (docs/sync-spec.md S22): a supervisor or quality
 * engineer signs, badge and PIN entered again, with the stated meaning and a typed reason, as for a
 * revocation (./revoke.ts), with the same shared wrong-PIN lockout. A station may grant or take away
 * only programs it is cleared for itself; the target's other programs stay as they are.
 *
 * The new list, a `station.programs-changed` audit entry (before and after) and the renumbering of
 * the views of every program gained commit in one transaction. The change takes effect at the
 * station's next request: pull and push read its programs then (S10, S12), and the renumbered views
 * come in its next pull even though they were written before its checkpoint. Views of a program
 * taken away are no longer served; the station is told which to drop by its next pull (S22).
 */
import { EVERY_PROGRAM } from '../store/view-keys.ts';
import type { ProgramsRequest, ProgramsResponse } from '../../schemas/stations.ts';
import { PROGRAMS_MEANING } from '../../schemas/stations.ts';
import { ApiFailure } from '../api-error.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Station } from '../store/store.ts';
import { signedStationAction } from './refusals.ts';
import { stationSummary } from './revoke.ts';
import type { SignerContext } from './signer.ts';

/** What a change of programs needs besides the request. */
export interface ProgramsContext extends SignerContext {
  audit: AuditLog;
  /** Told the server sequence after a change moved it (the live stream), so stations pull at once. */
  onViewsRenumbered?: (sequence: number) => void;
}

/** The action as a refusal names it. */
const PROGRAMS_ACTION = "change a station's programs";

/**
 * Sets station `stationId`'s programs, of those station `from` is cleared for, to `request.programs`.
 * Throws {@link ApiFailure}: 400 for an empty reason, 403 for a program `from` is not cleared for,
 * the signer's refusals (./signer.ts, each recorded as an audit entry, ./refusals.ts), 404 for an
 * unknown station, 409 for a revoked one or a list that changes nothing. A refusal changes neither
 * the station nor the views; the log gains only the entries of a refused signature.
 */
export async function changeStationPrograms(context: ProgramsContext, from: Station, stationId: string, request: ProgramsRequest): Promise<ProgramsResponse> {
  const reason = request.reason.trim();
  if (reason === '') throw new ApiFailure(400, 'invalid-request', "body/reason must say why the station's programs change; it is part of the signed record");
  const beyond = request.programs.filter((program) => !from.programs.includes(program));
  if (beyond.length > 0) {
    throw new ApiFailure(403, 'forbidden', `This station is not cleared for ${beyond.join(', ')}; it may grant or take away only programs it is cleared for`);
  }
  return signedStationAction(context, from, stationId, request, { action: PROGRAMS_ACTION, meaning: PROGRAMS_MEANING, reason }, async (_signer, target, record) => {
    const { store, audit } = context;
    if (target.revokedAt !== null) throw revoked(target.name);

    const before = [...target.programs].sort();
    const after = [...new Set([...before.filter((program) => !from.programs.includes(program)), ...request.programs])].sort();
    const added = after.filter((program) => !before.includes(program));
    const removed = before.filter((program) => !after.includes(program));
    if (added.length === 0 && removed.length === 0) {
      throw new ApiFailure(409, 'invalid-request', `Station ${target.name} is already cleared for exactly these programs; nothing was changed`);
    }

    const { auditIndex, sequence } = await store.locked(async (tx) => {
      // Checked again under the lock: a revocation may have committed since the read above.
      if (!(await tx.setStationPrograms(stationId, after))) throw revoked(target.name);
      const index = await audit.size(tx.sql);
      await audit.append(tx.sql, [record.entry('station.programs-changed', { before, after, added, removed })]);
      // Views only a station cleared for every program sees (S12) follow any change: an addition may
      // complete the station's clearance, a removal always breaks it.
      const renumbered = await tx.renumberProgramViews(added.length === 0 ? [] : [...added, EVERY_PROGRAM]);
      return { auditIndex: index, sequence: removed.length > 0 ? await tx.recordProgramDrops(stationId, [...removed, EVERY_PROGRAM]) : renumbered };
    });
    context.onViewsRenumbered?.(sequence);
    return { station: stationSummary({ ...target, programs: after }, from), signature: record.signature, auditIndex };
  });
}

function revoked(name: string): ApiFailure {
  return new ApiFailure(409, 'invalid-request', `Station ${name} is revoked; its programs can no longer be changed`);
}
