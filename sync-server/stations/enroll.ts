import { randomUUID } from 'node:crypto';
import type { ServerKeyInfo } from '../../schemas/audit-api.ts';
import type { EnrollRequest, EnrollResponse } from '../../schemas/enroll.ts';
import { ApiFailure } from '../api-error.ts';
import type { NewStation, Station } from '../store/store.ts';
import { stationPublicKey } from '../audit/station-signatures.ts';
import { credentialHash, newCredential } from './credentials.ts';
import { STATION_ADMIN_ROLES, withSigner, type SignerContext } from './signer.ts';

/** What enrollment needs: the signer check's context, and where the station goes. */
export interface EnrollContext extends SignerContext {
  /** The programs a new station is cleared for (see ServerOptions.defaultPrograms). */
  defaultPrograms: () => Promise<string[]>;
  /** Records the station with its enrollment and approval audit entries (PlantService.enrollStation). */
  addStation: (station: NewStation, approver: { badge: string; role: string; printedName: string }) => Promise<Station>;
  /** The audit log's server keys, which the station pins (docs/sync-spec.md S21). */
  auditKeys: () => Promise<ServerKeyInfo[]>;
}

/**
 * Enrolls a station on a supervisor's (or quality engineer's) badge and PIN, checked against the
 * roster (./signer.ts: five wrong PINs in a row lock the badge). Answers the station's id, its
 * credential (shown once) and the audit log's keys for the station to pin. Throws
 * {@link ApiFailure} for every refusal; the protocol version is checked by the caller.
 */
export function enrollStation(context: EnrollContext, request: EnrollRequest): Promise<EnrollResponse> {
  return withSigner(context, { badge: request.supervisorBadge, pin: request.pin }, { roles: STATION_ADMIN_ROLES, action: 'enroll a station' }, (operator) =>
    addEnrolledStation(context, request, operator),
  );
}

async function addEnrolledStation(context: EnrollContext, request: EnrollRequest, operator: { badge: string; role: string; name: string }): Promise<EnrollResponse> {
  const { now } = context;
  const badge = operator.badge;
  try {
    const key = stationPublicKey(request.publicKey);
    const type = key.asymmetricKeyType;
    const fits = request.keyAlg === 'Ed25519' ? type === 'ed25519' : type === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
    if (!fits) throw new Error('wrong type');
  } catch {
    throw new ApiFailure(400, 'invalid-request', `publicKey is not an ${request.keyAlg} public key (SPKI, base64url)`);
  }

  const credential = newCredential();
  const station = await context.addStation(
    {
      id: randomUUID(),
      name: request.stationName,
      credentialHash: credentialHash(credential),
      enrolledBy: badge,
      enrolledAt: now(),
      programs: await context.defaultPrograms(),
      publicKey: request.publicKey,
      keyAlg: request.keyAlg,
    },
    { badge, role: operator.role, printedName: operator.name },
  );
  return { stationId: station.id, credential, auditKeys: await context.auditKeys() };
}
