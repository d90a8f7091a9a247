import { shortHoldId } from '../../domain/short-id.ts';
import { useState } from 'react';
import type { Hold } from '../../../schemas/hold.ts';
import { describeSubject, formatDateTime } from '../../app/format.ts';
import { usePlant, useSession, useStation } from '../../app/station-context.ts';
import { canRelease, holdsFor } from '../../domain/holds.ts';
import type { Manifestation } from '../../station/actions.ts';
import { personName } from '../traveler/names.ts';
import { ReleaseDialog } from './ReleaseDialog.tsx';
import { SignatureManifestation } from './SignatureManifestation.tsx';

/** Active holds at the signed-in person's work centers; supervisors and quality release them under signature. */
export function HoldBoard() {
  const { rt } = useStation();
  const { session } = useSession();
  const plant = usePlant(rt);
  const [releasing, setReleasing] = useState<Hold | null>(null);
  const [signed, setSigned] = useState<{ hold: Hold; manifestation: Manifestation } | null>(null);
  const me = plant.operators.get(session.badge);
  const mayRelease = me !== undefined && canRelease(me);
  const holds = me === undefined ? [] : holdsFor(plant, me);
  const released = [...plant.holds.values()]
    .filter((h) => h.status === 'released' && h.release !== undefined)
    .sort((a, b) => (b.release?.signature.signedAt ?? '').localeCompare(a.release?.signature.signedAt ?? ''))
    .slice(0, 10);

  return (
    <main className="screen">
      <h1>Holds</h1>
      {!mayRelease && <p className="notice">Only a supervisor or quality may release a hold. Ask your supervisor.</p>}
      {signed !== null && (
        <section role="status" className="manifestation-panel" aria-label="Signature">
          <h2>Hold {shortHoldId(signed.hold.holdId)} released</h2>
          <SignatureManifestation manifestation={signed.manifestation} />
        </section>
      )}
      {holds.length === 0 ? (
        <p className="notice">No active holds at your work centers.</p>
      ) : (
        <table className="table holds">
          <thead>
            <tr>
              <th scope="col">Subject</th>
              <th scope="col">Reason</th>
              <th scope="col">Placed by</th>
              <th scope="col">Placed</th>
              {mayRelease && <th scope="col">Release</th>}
            </tr>
          </thead>
          <tbody>
            {holds.map((hold) => (
              <tr key={hold.holdId}>
                <th scope="row">
                  <span className="hold-tag">ON HOLD</span> {describeSubject(hold.subject)}
                  <div className="muted small" title={hold.holdId}>
                    {shortHoldId(hold.holdId)}
                  </div>
                </th>
                <td>{hold.reason}</td>
                <td>{personName(plant, hold.placedBy)}</td>
                <td>{formatDateTime(hold.placedAt)}</td>
                {mayRelease && (
                  <td>
                    <button type="button" className="button" aria-label={`Release ${shortHoldId(hold.holdId)}`} onClick={() => setReleasing(hold)}>
                      Release
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {released.length > 0 && (
        <section aria-labelledby="released-heading" className="panel">
          <h2 id="released-heading">Recently released</h2>
          <ul className="released-list">
            {released.map((hold) => (
              <li key={hold.holdId}>
                <strong title={hold.holdId}>{shortHoldId(hold.holdId)}</strong> {describeSubject(hold.subject)} — {hold.release?.signature.reason}
                {hold.release !== undefined && <SignatureManifestation manifestation={hold.release.signature} compact />}
              </li>
            ))}
          </ul>
        </section>
      )}
      {releasing !== null && (
        <ReleaseDialog
          hold={releasing}
          onCancel={() => setReleasing(null)}
          onReleased={(manifestation) => {
            setSigned({ hold: releasing, manifestation });
            setReleasing(null);
          }}
        />
      )}
    </main>
  );
}
