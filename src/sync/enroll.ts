/**
 * Enrolls this station with the sync server: a supervisor's badge and PIN buy a station credential.
 * The station first makes its signing key (non-extractable, kept in IndexedDB) and sends the public
 * half; the key is saved only once the server has accepted it.
 */
import type { EnrollRequest, EnrollResponse } from '../../schemas/enroll.ts';
import { PROTOCOL_VERSION } from '../../schemas/protocol-version.ts';
import { generateStationKey, type KeyStore } from '../audit/station-keys.ts';
import type { StationDb } from '../db/database.ts';
import type { StationConfig } from '../db/settings.ts';
import { DEFAULT_IDLE_MINUTES, writeStationConfig } from '../db/settings.ts';
import type { Transport } from './transport.ts';

export async function enrollStation(
  db: StationDb,
  transport: Transport,
  request: Omit<EnrollRequest, 'protocolVersion' | 'publicKey' | 'keyAlg'>,
  keys: KeyStore,
): Promise<StationConfig> {
  const key = await generateStationKey();
  const body: EnrollRequest = { protocolVersion: PROTOCOL_VERSION, ...request, publicKey: key.publicKey, keyAlg: key.alg };
  const answer = await transport.post<EnrollResponse>('/api/stations/enroll', body);
  await keys.save(key);
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
