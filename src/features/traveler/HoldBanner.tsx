import type { Hold } from '../../../schemas/hold.ts';
import { describeSubject, formatDateTime } from '../../app/format.ts';
import type { PlantState } from '../../domain/plant.ts';
import { shortHoldId } from '../../domain/short-id.ts';
import { personName } from './names.ts';

/** Holds in force, impossible to miss: nothing moves until a supervisor or quality releases them. */
export function HoldBanner({ plant, holds }: { plant: PlantState; holds: readonly Hold[] }) {
  if (holds.length === 0) return null;
  return (
    <section className="hold-banner" aria-label="Holds in force">
      {holds.map((hold) => (
        <div key={hold.holdId} className="hold-item">
          <strong className="hold-word">ON HOLD</strong> {describeSubject(hold.subject)} — {hold.reason}
          <div className="small">
            Hold <span title={hold.holdId}>{shortHoldId(hold.holdId)}</span>, placed by {personName(plant, hold.placedBy)} at {formatDateTime(hold.placedAt)}
          </div>
        </div>
      ))}
    </section>
  );
}
