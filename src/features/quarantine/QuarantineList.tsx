import { formatDateTime } from '../../app/format.ts';
import { useSession, useStation } from '../../app/station-context.ts';
import { useQuarantine } from '../../app/use-records.ts';
import { FLAG_NAMES } from '../conflicts/names.ts';
import { StationName } from '../stations/StationName.tsx';
import { useStationNames } from '../stations/station-names.ts';
import '../conflicts/conflicts.css';

/**
 * Events the server refused, as they arrived, with the reason and the station that sent them (by
 * name); quality reviews them. Never deleted.
 */
export function QuarantineList() {
  const { rt, config } = useStation();
  const { session } = useSession();
  const entries = useQuarantine(rt);
  const stationNames = useStationNames(rt, config);

  if (session.role !== 'quality') {
    return (
      <main className="screen">
        <h1>Quarantine</h1>
        <p className="notice">Only quality may review quarantined records.</p>
      </main>
    );
  }

  return (
    <main className="screen">
      <h1>Quarantine</h1>
      {entries.length === 0 ? (
        <p className="notice">Nothing in quarantine.</p>
      ) : (
        <ul className="conflict-list" aria-label="Quarantined records">
          {entries.map((entry) => (
            <li key={entry.quarantineId} className="panel" aria-label={`Quarantined ${entry.eventId}`}>
              <h2>{entry.reason}</h2>
              <dl className="facts">
                <div>
                  <dt>Station</dt>
                  <dd>
                    <StationName names={stationNames} stationId={entry.stationId} />
                  </dd>
                </div>
                <div>
                  <dt>Received</dt>
                  <dd>{formatDateTime(entry.receivedAt)}</dd>
                </div>
                <div>
                  <dt>Event</dt>
                  <dd className="small">{entry.eventId}</dd>
                </div>
                {entry.flags.length > 0 && (
                  <div>
                    <dt>Flags</dt>
                    <dd>{entry.flags.map((flag) => FLAG_NAMES[flag]).join(', ')}</dd>
                  </div>
                )}
              </dl>
              <details>
                <summary>Record as received</summary>
                <pre className="raw">{JSON.stringify(entry.raw, null, 2)}</pre>
              </details>
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
