import { OLDEST_SERVED_PROTOCOL_VERSION, PROTOCOL_VERSION } from '../schemas/protocol-version.ts';
import { ApiFailure } from './api-error.ts';

/**
 * Refuses a protocol version this server does not speak: an older station is told to update
 * (426 `client-too-old`), a newer one that the server is behind (400 `unsupported-protocol`).
 */
export function checkProtocolVersion(version: number): void {
  if (version < OLDEST_SERVED_PROTOCOL_VERSION) {
    throw new ApiFailure(
      426,
      'client-too-old',
      `This station speaks protocol ${version}; the server needs ${OLDEST_SERVED_PROTOCOL_VERSION} or newer. Reload the app to update it.`,
    );
  }
  if (version > PROTOCOL_VERSION) {
    throw new ApiFailure(
      400,
      'unsupported-protocol',
      `This station speaks protocol ${version}; the server speaks up to ${PROTOCOL_VERSION}. Update the server.`,
    );
  }
}
