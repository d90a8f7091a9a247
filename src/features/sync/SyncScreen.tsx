import { formatDateTime, formatSignedAt } from '../../app/format.ts';
import { useStation } from '../../app/station-context.ts';
import { useRefusedEvents } from '../../app/use-records.ts';
import type { SyncView } from '../../app/use-sync.ts';
import { useOutbox } from '../../app/use-sync.ts';
import { FLAG_NAMES } from '../conflicts/names.ts';
import { personName } from '../traveler/names.ts';
import { usePlant } from '../../app/station-context.ts';
import { ServerRestartNotice } from './ServerRestartNotice.tsx';

/**
 * Sync in detail: what waits to be sent, the server's connection, and every event the server
 * refused with its reason. Refused events stay on the station: nothing an operator recorded is lost.
 */
export function SyncScreen({ sync }: { sync: SyncView }) {
  const { rt } = useStation();
  const plant = usePlant(rt);
  const outbox = useOutbox(rt);
  const refused = useRefusedEvents(rt);
  const { status } = sync;

  return (
    <main className="screen">
      <h1>Sync</h1>
      <dl className="facts">
        <div>
          <dt>Waiting to send</dt>
          <dd>{outbox.waiting}</dd>
        </div>
        <div>
          <dt>Oldest waiting</dt>
          <dd>{outbox.oldestWaitingAt === null ? '—' : formatDateTime(outbox.oldestWaitingAt)}</dd>
        </div>
        <div>
          <dt>Shown before the server confirmed</dt>
          <dd>{outbox.pending}</dd>
        </div>
        <div>
          <dt>Last sync</dt>
          <dd>{status?.lastSyncAt == null ? 'not since start' : formatSignedAt(status.lastSyncAt)}</dd>
        </div>
        <div>
          <dt>Syncing tab</dt>
          <dd>{sync.follower ? 'another tab of this station' : status === null ? 'none yet' : 'this tab'}</dd>
        </div>
        <div>
          <dt>Live updates</dt>
          <dd>{status?.live === true ? 'connected' : 'not connected (pulling every 30 s)'}</dd>
        </div>
      </dl>
      {status !== null && status.lastError !== null && <p className="notice">Last problem: {status.lastError}</p>}
      <button type="button" className="button" onClick={sync.syncNow}>
        Sync now
      </button>
      <ServerRestartNotice rt={rt} />
      <section aria-labelledby="refused-heading" className="panel">
        <h2 id="refused-heading">Refused by the server</h2>
        {refused.length === 0 ? (
          <p className="notice">The server has refused nothing from this station.</p>
        ) : (
          <table className="table" aria-labelledby="refused-heading">
            <thead>
              <tr>
                <th scope="col">Record</th>
                <th scope="col">By</th>
                <th scope="col">Recorded</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {refused.map(({ event, receipt }) => (
                <tr key={event.id}>
                  <th scope="row">
                    {event.type} <span className="muted small">#{event.seq}</span>
                  </th>
                  <td>{personName(plant, event.actor)}</td>
                  <td>{formatDateTime(event.deviceTime)}</td>
                  <td>
                    {receipt.reason ?? 'no reason given'}
                    {receipt.flags.length > 0 && <div className="small muted">{receipt.flags.map((f) => FLAG_NAMES[f]).join(', ')}</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </main>
  );
}
