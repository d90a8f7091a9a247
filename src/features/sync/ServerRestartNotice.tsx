import { useEffect, useState } from 'react';
import { formatDateTime } from '../../app/format.ts';
import type { StationRuntime } from '../../station/runtime.ts';
import type { ServerRestart } from '../../sync/restart.ts';
import { SERVER_RESTART_SETTING } from '../../sync/restart.ts';
import { Badge } from '../../ui/index.ts';

/** The last restart of the server this station verified and followed (docs/sync-spec.md S23), live. */
function useServerRestart(rt: StationRuntime): ServerRestart | null {
  const [restart, setRestart] = useState<ServerRestart | null>(null);
  useEffect(() => {
    const subscription = rt.db.settings.findOne(SERVER_RESTART_SETTING).$.subscribe((doc) => {
      setRestart(doc === null ? null : (doc.toJSON().data as unknown as ServerRestart));
    });
    return () => subscription.unsubscribe();
  }, [rt]);
  return restart;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * Explains a restore of the server from a backup to the people who answer for the records: when,
 * from which backup, that it is a signed entry of the audit log under the key this station trusts,
 * and what this station sent back. Not an alarm: nothing recorded here was lost.
 */
export function ServerRestartNotice({ rt }: { rt: StationRuntime }) {
  const restart = useServerRestart(rt);
  if (restart === null) return null;
  const { facts } = restart;
  const pinned =
    facts.pinned === 'superseded'
      ? `The audit checkpoint this station had kept (${plural(facts.pinnedSize ?? 0, 'entry', 'entries')}) was of the log lost after the backup; the signed restart replaces it.`
      : facts.pinned === 'consistent'
        ? `The audit checkpoint this station had kept (${plural(facts.pinnedSize ?? 0, 'entry', 'entries')}) is part of the restored log.`
        : '';
  return (
    <section aria-labelledby="restart-heading" className="panel" data-testid="server-restart">
      <h2 id="restart-heading">
        Server restored from a backup <Badge tone="info">Signed restart</Badge>
      </h2>
      <p>
        The server was restored on {formatDateTime(facts.restoredAt)} from the backup taken {formatDateTime(facts.backupTakenAt)}, which held the audit log up to{' '}
        {plural(facts.entryIndex, 'entry', 'entries')}. What was recorded after the backup came back from the stations that hold it.
      </p>
      <p>
        This station sent {plural(restart.resent, 'record', 'records')} again that the restored server did not have; each has one answer from it. Noticed{' '}
        {formatDateTime(restart.noticedAt)}.
      </p>
      <p className="small muted">
        The restore is entry {facts.entryIndex} of the audit log, proven at the checkpoint of {plural(facts.checkpointSize, 'entry', 'entries')} signed by server key{' '}
        {facts.keyId}, a key this station already trusted. {pinned}
      </p>
    </section>
  );
}
