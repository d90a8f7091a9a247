/**
 * A station's health in the Stations screen's row (docs/sync-spec.md S24): when the server last
 * heard from it, its work center, the release it runs, the events it holds that the server has not
 * answered yet, and whether the browser keeps its data. The words are the station's last report,
 * as the server keeps it; "ago" is counted on this station's clock.
 */
import type { StationFleet } from '../../../schemas/station-report.ts';
import type { PlantState } from '../../domain/plant.ts';
import { formatAgo, formatDateTime, formatDuration, formatTimeOrDate } from '../../app/format.ts';
import { Badge } from '../../ui/index.ts';

/** "under a minute", "12 min", "2 h 5 min", "4 d": how old the oldest pending event is. */
function age(ms: number): string {
  const ago = formatAgo(ms);
  return ago === 'just now' ? 'under a minute' : ago.replace(/ ago$/, '');
}

export function LastSeenCell({ fleet, now, silentAfterSeconds }: { fleet: StationFleet | undefined; now: Date; silentAfterSeconds: number | undefined }) {
  const seen = fleet?.lastSeenAt ?? null;
  if (seen === null) return <td data-label="Last seen" className="muted">Never synced</td>;
  const at = new Date(seen);
  const pending = fleet?.report?.pending ?? 0;
  return (
    <td data-label="Last seen">
      {formatAgo(now.getTime() - at.getTime())}
      <div className="small muted" title={formatDateTime(at)}>
        {formatTimeOrDate(at, now)}
      </div>
      {fleet?.silentWithPending === true && (
        <div>
          <Badge tone="fail">Silent</Badge>
          <div className="small">
            {pending} event{pending === 1 ? '' : 's'} not on the server
            {silentAfterSeconds !== undefined && `, not heard from for over ${formatDuration(silentAfterSeconds * 1000)}`}: find the station (battery, network) and let
            it sync
          </div>
        </div>
      )}
    </td>
  );
}

export function WorkCenterCell({ fleet, plant }: { fleet: StationFleet | undefined; plant: PlantState }) {
  const id = fleet?.report?.workCenterId ?? null;
  if (fleet?.report === undefined || fleet.report === null) return <td data-label="Work center" className="muted">Not reported</td>;
  if (id === null) return <td data-label="Work center" className="muted">None chosen</td>;
  const name = plant.workCenters.get(id)?.name;
  return (
    <td data-label="Work center">
      {id}
      {name !== undefined && <div className="small muted">{name}</div>}
    </td>
  );
}

export function VersionCell({ fleet }: { fleet: StationFleet | undefined }) {
  const report = fleet?.report ?? null;
  if (report === null) return <td data-label="Version" className="muted">Not reported</td>;
  return (
    <td data-label="Version">
      {report.appVersion}
      <div className="small muted">protocol {report.protocolVersion}</div>
    </td>
  );
}

export function PendingCell({ fleet, now }: { fleet: StationFleet | undefined; now: Date }) {
  const report = fleet?.report ?? null;
  if (report === null) return <td data-label="Pending" className="muted">Not reported</td>;
  if (report.pending === 0) return <td data-label="Pending">None</td>;
  const oldest = report.oldestPendingAt === null ? null : new Date(report.oldestPendingAt);
  return (
    <td data-label="Pending">
      {report.pending} event{report.pending === 1 ? '' : 's'}
      {oldest !== null && <div className="small muted">oldest {age(now.getTime() - oldest.getTime())}</div>}
    </td>
  );
}

export function StorageCell({ fleet }: { fleet: StationFleet | undefined }) {
  const report = fleet?.report ?? null;
  if (report === null || report.storagePersisted === null) return <td data-label="Storage" className="muted">Not known</td>;
  if (report.storagePersisted) return <td data-label="Storage">Kept</td>;
  return (
    <td data-label="Storage">
      <Badge tone="warn">Not kept</Badge>
      <div className="small">The browser may clear it: install Travelog as an app on that device</div>
    </td>
  );
}
