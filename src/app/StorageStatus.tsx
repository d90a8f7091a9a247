import type { Role } from '../../schemas/common.ts';
import { useStorageState } from './shell-context.ts';
import { NEAR_QUOTA_RATIO, formatBytes } from './storage.ts';

/**
 * Roles told about the station's storage: they can get it synced, installed or cleaned. Operators
 * and inspectors are not: "storage not guaranteed" means nothing they can act on.
 */
export const STORAGE_WARNING_ROLES: readonly Role[] = ['supervisor', 'quality'];

/**
 * Part of the status bar, for supervisors and quality only: whether the browser keeps this
 * station's data for good and, if not, what to do about it; and a warning once storage passes 80%
 * of its quota, before any write can fail.
 */
export function StorageStatus({ role }: { role: Role | null }) {
  const { persisted, usage, quota, nearQuota } = useStorageState();
  if (role === null || !STORAGE_WARNING_ROLES.includes(role)) return null;
  const warn = nearQuota && usage !== null && quota !== null;
  return (
    <>
      {persisted === true && <span data-testid="storage-persistence">storage kept</span>}
      {persisted === false && (
        <span data-testid="storage-persistence" className="status-warning">
          Storage not guaranteed: install Travelog as an app on this device (browser menu › Install) so the browser keeps unsent
          records, and keep the station syncing
        </span>
      )}
      {warn && (
        <span role="alert" className="status-warning">
          Storage {Math.round((usage / quota) * 100)}% full ({formatBytes(usage)} of {formatBytes(quota)}; warning above {NEAR_QUOTA_RATIO * 100}%): sync this
          station and free space on the device before recording stops
        </span>
      )}
    </>
  );
}
