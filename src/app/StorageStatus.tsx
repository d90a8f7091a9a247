import type { Role } from '../../schemas/common.ts';
import { useStorageState } from './shell-context.ts';
import { NEAR_QUOTA_RATIO, formatBytes } from './storage.ts';

/** Roles told that the station's storage is filling up: they can get it synced or cleaned. */
export const STORAGE_WARNING_ROLES: readonly Role[] = ['supervisor', 'quality'];

/**
 * Part of the status bar: whether the browser keeps this station's data for good, and, for a
 * supervisor, a warning once storage passes 80% of its quota, before any write can fail.
 */
export function StorageStatus({ role }: { role: Role | null }) {
  const { persisted, usage, quota, nearQuota } = useStorageState();
  const warn = nearQuota && role !== null && STORAGE_WARNING_ROLES.includes(role) && usage !== null && quota !== null;
  return (
    <>
      {persisted !== null && (
        <span data-testid="storage-persistence" title={persisted ? undefined : 'The browser may clear this station’s data when the disk fills up'}>
          {persisted ? 'storage kept' : 'storage not guaranteed'}
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
