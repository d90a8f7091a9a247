/**
 * Enrolls this station with the sync server: a supervisor's badge and PIN buy a station credential.
 * The station first makes its signing key (non-extractable, kept in IndexedDB) and sends the public
 * half; the key is saved only once the server has accepted it. The answer also carries the audit
 * log's server keys, which the station pins as the trust anchor its audit screen verifies
 * checkpoints against (docs/sync-spec.md S21); the station's config is written last, since its
 * presence is what makes the station enrolled.
 */
import type { EnrollRequest, EnrollResponse } from '../../schemas/enroll.ts';
import { PROTOCOL_VERSION } from '../../schemas/protocol-version.ts';
import { generateStationKey, type KeyStore } from '../audit/station-keys.ts';
import { keysToPin, writeTrustAnchor } from '../audit/trust-anchor.ts';
import type { StationDb } from '../db/database.ts';
import type { StationConfig } from '../db/settings.ts';
import { DEFAULT_IDLE_MINUTES, writeStationConfig } from '../db/settings.ts';
import { ApiFailure, type Transport } from './transport.ts';

export async function enrollStation(
  db: StationDb,
  transport: Transport,
  request: Omit<EnrollRequest, 'protocolVersion' | 'publicKey' | 'keyAlg'>,
  keys: KeyStore,
  now: () => Date = () => new Date(),
): Promise<StationConfig> {
  const key = await generateStationKey();
  const body: EnrollRequest = { protocolVersion: PROTOCOL_VERSION, ...request, publicKey: key.publicKey, keyAlg: key.alg };
  const answer = await transport.post<EnrollResponse>('/api/stations/enroll', body);
  // Checked before anything is kept: an answer without a well-formed key to pin is not an enrollment.
  let pinned;
  try {
    pinned = keysToPin(answer.auditKeys);
  } catch (error) {
    throw new ApiFailure(502, 'bad-response', `The server's answer cannot be trusted for the audit trail (${(error as Error).message}); the station is not enrolled`);
  }
  await keys.save(key);
  await writeTrustAnchor(db, { keys: pinned, pinnedAt: now().toISOString(), pinnedBy: 'enrollment' });
  const config: StationConfig = {
    stationId: answer.stationId,
    stationName: request.stationName,
    credential: answer.credential,
    workCenterId: '',
    idleMinutes: DEFAULT_IDLE_MINUTES,
  };
  await writeStationConfig(db, config);
  return config;
}
