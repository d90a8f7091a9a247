import { eventName } from '../../app/event-names.ts';
import { shortConflictId, shortEventId } from '../../domain/short-id.ts';
import { useState } from 'react';
import type { Conflict } from '../../../schemas/conflict.ts';
import { describeSubject, formatDateTime } from '../../app/format.ts';
import { usePlant, useSession, useStation } from '../../app/station-context.ts';
import { CONFLICT_ROLES } from '../../app/StatusBar.tsx';
import type { ResolveAction } from '../../domain/conflicts.ts';
import type { Manifestation } from '../../station/actions.ts';
import { SignatureManifestation } from '../holds/SignatureManifestation.tsx';
import { StationName } from '../stations/StationName.tsx';
import { useStationNames } from '../stations/station-names.ts';
import { personName } from '../traveler/names.ts';
import { readableDescription } from './describe.ts';
import { ACTION_NAMES, FLAG_NAMES } from './names.ts';
import { ResolveDialog } from './ResolveDialog.tsx';
import './conflicts.css';

/**
 * The supervisor queue: every open conflict item the server raised, with what happened, where (the
 * station by its name) and by whom, and the records it concerns. Each is resolved under an
 * electronic signature: accepted as recorded, voided with a reason, or taken to a nonconformance
 * report. Nothing is merged silently.
 */
export function ConflictQueue() {
  const { rt, config } = useStation();
  const { session } = useSession();
  const plant = usePlant(rt);
  const stationNames = useStationNames(rt, config);
  const [resolving, setResolving] = useState<{ conflict: Conflict; action: ResolveAction } | null>(null);
  const [signed, setSigned] = useState<{ conflict: Conflict; action: ResolveAction; manifestation: Manifestation } | null>(null);
  const mayResolve = CONFLICT_ROLES.includes(session.role);
  const describe = (conflict: Conflict) => readableDescription(conflict.description, (token) => plant.operators.get(token)?.name ?? stationNames.get(token));
  const conflicts = [...plant.conflicts.values()];
  const open = conflicts.filter((c) => c.status === 'open').sort((a, b) => a.raisedAt.localeCompare(b.raisedAt));
  const resolved = conflicts
    .filter((c) => c.status === 'resolved' && c.resolution !== undefined)
    .sort((a, b) => (b.resolution?.signature.signedAt ?? '').localeCompare(a.resolution?.signature.signedAt ?? ''))
    .slice(0, 10);

  return (
    <main className="screen">
      <h1>Conflicts</h1>
      {!mayResolve && <p className="notice">Only a supervisor or quality may resolve conflicts.</p>}
      {signed !== null && (
        <section role="status" className="manifestation-panel" aria-label="Signature">
          <h2>
            {FLAG_NAMES[signed.conflict.flag]}
            {signed.conflict.workOrderId === undefined ? '' : ` on ${signed.conflict.workOrderId}`}
            {signed.conflict.subject === undefined ? '' : ` ${describeSubject(signed.conflict.subject)}`}: {ACTION_NAMES[signed.action].toLowerCase()}
          </h2>
          <SignatureManifestation manifestation={signed.manifestation} />
        </section>
      )}
      {open.length === 0 ? (
        <p className="notice">No open conflicts.</p>
      ) : (
        <ul className="conflict-list" aria-label="Open conflicts">
          {open.map((conflict) => (
            <li key={conflict.conflictId} className="panel conflict" aria-label={`Conflict ${conflict.conflictId}`}>
              <h2>
                <span className="hold-tag">{FLAG_NAMES[conflict.flag]}</span> {conflict.workOrderId ?? ''}
                {conflict.subject !== undefined && <span className="muted"> {describeSubject(conflict.subject)}</span>}
              </h2>
              <p>{describe(conflict)}</p>
              <dl className="facts">
                <div>
                  <dt>Station</dt>
                  <dd>
                    <StationName names={stationNames} stationId={conflict.stationId} />
                  </dd>
                </div>
                <div>
                  <dt>Recorded by</dt>
                  <dd>{personName(plant, conflict.actor)}</dd>
                </div>
                <div>
                  <dt>Record</dt>
                  <dd>
                    {eventName(conflict.eventType)}{' '}
                    <span className="muted small" title={conflict.eventId}>
                      {shortEventId(conflict.eventId)}
                    </span>
                  </dd>
                </div>
                <div>
                  <dt>Raised</dt>
                  <dd>{formatDateTime(conflict.raisedAt)}</dd>
                </div>
                {conflict.relatedEventIds.length > 0 && (
                  <div>
                    <dt>Related records</dt>
                    <dd className="small">{conflict.relatedEventIds.map(shortEventId).join(', ')}</dd>
                  </div>
                )}
              </dl>
              {mayResolve && (
                <div className="actions">
                  {(Object.keys(ACTION_NAMES) as ResolveAction[]).map((action) => (
                    <button
                      key={action}
                      type="button"
                      className="button"
                      aria-label={`${ACTION_NAMES[action]}: ${shortConflictId(conflict.conflictId)}`}
                      onClick={() => setResolving({ conflict, action })}
                    >
                      {ACTION_NAMES[action]}
                    </button>
                  ))}
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {resolved.length > 0 && (
        <section aria-labelledby="resolved-heading" className="panel">
          <h2 id="resolved-heading">Recently resolved</h2>
          <ul className="released-list">
            {resolved.map((conflict) => (
              <li key={conflict.conflictId}>
                <strong>{FLAG_NAMES[conflict.flag]}</strong> {conflict.workOrderId ?? ''} — {conflict.resolution?.signature.reason}
                {conflict.resolution !== undefined && <SignatureManifestation manifestation={conflict.resolution.signature} compact />}
              </li>
            ))}
          </ul>
        </section>
      )}
      {resolving !== null && (
        <ResolveDialog
          conflict={resolving.conflict}
          description={describe(resolving.conflict)}
          action={resolving.action}
          onCancel={() => setResolving(null)}
          onResolved={(manifestation) => {
            setSigned({ ...resolving, manifestation });
            setResolving(null);
          }}
        />
      )}
    </main>
  );
}
