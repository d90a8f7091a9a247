import { formatSignedAt } from '../../app/format.ts';
import type { Manifestation } from '../../station/actions.ts';

/** An electronic signature as 21 CFR 11.50 asks it to be shown: printed name, date and time, meaning. */
export function SignatureManifestation({ manifestation, compact = false }: { manifestation: Manifestation; compact?: boolean }) {
  if (compact) {
    return (
      <div className="small manifestation">
        Signed by {manifestation.printedName}, {formatSignedAt(manifestation.signedAt)}, meaning: {manifestation.meaning}
      </div>
    );
  }
  return (
    <dl className="facts manifestation">
      <div>
        <dt>Signed by</dt>
        <dd>{manifestation.printedName}</dd>
      </div>
      <div>
        <dt>Date and time</dt>
        <dd>{formatSignedAt(manifestation.signedAt)}</dd>
      </div>
      <div>
        <dt>Meaning</dt>
        <dd>{manifestation.meaning}</dd>
      </div>
      {manifestation.reason !== undefined && (
        <div>
          <dt>Reason</dt>
          <dd>{manifestation.reason}</dd>
        </div>
      )}
    </dl>
  );
}
