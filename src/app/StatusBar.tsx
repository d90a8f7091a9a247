import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import type { Role } from '../../schemas/common.ts';
import type { StationRuntime } from '../station/runtime.ts';
import { formatClock, formatDuration } from './format.ts';
import { useAppUpdater } from './shell-context.ts';
import { StorageStatus } from './StorageStatus.tsx';
import { VerdictStatus } from '../features/traveler/VerdictStatus.tsx';
import { usePlant } from './station-context.ts';
import { useRefusedEvents } from './use-records.ts';
import type { SyncView } from './use-sync.ts';
import { useOutbox } from './use-sync.ts';

/** Roles that work the supervisor queue of conflicts. */
export const CONFLICT_ROLES: readonly Role[] = ['supervisor', 'quality'];

/** The clock, ticking every `everyMs`, for ages shown on screen. */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs]);
  return now;
}

/**
 * Whether the server answers, not only whether the browser has a network: "Server reached 12:03"
 * after an answered request, "Server not reached since 12:03" while requests fail or before the
 * first one after a reload is answered. A tab that does not sync (another tab does) knows only the
 * network.
 */
export function serverContact(online: boolean, sync: SyncView): { reached: boolean; text: string } {
  const { status } = sync;
  const last = status?.lastSyncAt ?? null;
  const since = last === null ? 'Server not reached yet' : `Server not reached since ${formatClock(new Date(last))}`;
  if (!online) return { reached: false, text: `Offline · ${since}` };
  if (status === null) return { reached: online, text: sync.follower ? 'Online' : 'Online · not syncing yet' };
  if (status.reachable && last !== null) return { reached: true, text: `Server reached ${formatClock(new Date(last))}` };
  return { reached: false, text: since };
}

/**
 * Sync as the station sees it, always in view: network, events waiting for the server and the age
 * of the oldest, the last successful sync, refused events, open conflicts for those who resolve
 * them, and what to do when the server will not talk to this station. The station works the same
 * whatever it says.
 */
export function StatusBar({ rt, sync, role }: { rt: StationRuntime; sync: SyncView; role: Role | null }) {
  const { online, status } = sync;
  const outbox = useOutbox(rt);
  const plant = usePlant(rt);
  const refused = useRefusedEvents(rt);
  const updater = useAppUpdater();
  const now = useNow(15_000);
  const openConflicts = role !== null && CONFLICT_ROLES.includes(role) ? [...plant.conflicts.values()].filter((c) => c.status === 'open').length : 0;
  const lastSync = status?.lastSyncAt ?? null;
  const contact = serverContact(online, sync);

  return (
    <footer className={`status-bar ${contact.reached ? 'online' : 'offline'}`} aria-label="Station status">
      <span className="status-dot" aria-hidden="true" />
      <strong data-testid="server-contact">{contact.text}</strong>
      <span data-testid="outbox">
        {outbox.waiting === 0
          ? 'nothing waiting to send'
          : `${outbox.waiting} ${outbox.waiting === 1 ? 'event' : 'events'} waiting to send` +
            (outbox.oldestWaitingAt === null ? '' : `, oldest ${formatDuration(Math.max(0, now - Date.parse(outbox.oldestWaitingAt)))}`)}
      </span>
      <span data-testid="last-sync">
        {sync.follower ? 'another tab of this station syncs' : lastSync === null ? 'not synced since start' : `last sync ${formatClock(new Date(lastSync))}`}
      </span>
      {openConflicts > 0 && (
        <Link to="/conflicts" className="status-link">
          {openConflicts} open {openConflicts === 1 ? 'conflict' : 'conflicts'}
        </Link>
      )}
      <VerdictStatus rt={rt} />
      {refused.length > 0 && (
        <Link to="/sync" className="status-link status-warning">
          {refused.length} refused by the server
        </Link>
      )}
      {status?.phase === 'client-too-old' && (
        <button type="button" className="button primary" onClick={() => void updater.apply()}>
          Update available — reload
        </button>
      )}
      {status?.phase === 'not-enrolled' && (
        <span role="alert" className="status-warning">
          Station not enrolled or revoked: the server no longer accepts it. Work is kept here; ask a supervisor to enroll it again.
        </span>
      )}
      {status?.phase === 'restart-refused' && (
        <span role="alert" className="status-warning">
          Sync stopped: the server says it was restored from a backup, but its audit log does not prove it under the key this station trusts. Work is kept here; tell plant IT.
        </span>
      )}
      {online && status?.phase === 'running' && !status.reachable && status.lastError !== null && (
        <span className="status-warning">server not reached: {status.lastError}; retrying</span>
      )}
      {!online && <span>work continues; records are kept on this station</span>}
      <StorageStatus role={role} />
    </footer>
  );
}
