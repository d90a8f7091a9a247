import type { Hold } from '../../../schemas/hold.ts';
import { describeSubject, formatDateTime } from '../../app/format.ts';
import { usePlant, useStation } from '../../app/station-context.ts';
import { RELEASE_MEANING } from '../../domain/holds.ts';
import type { Manifestation } from '../../station/actions.ts';
import { releaseHold } from '../../station/actions.ts';
import { Badge } from '../../ui/index.ts';
import { SignatureDialog } from '../signature/SignatureDialog.tsx';
import { personName } from '../traveler/names.ts';

/** The release signature for one hold: it clears only the hold it names, which stays in view while signing. */
export function ReleaseDialog({ hold, onCancel, onReleased }: { hold: Hold; onCancel: () => void; onReleased: (m: Manifestation) => void }) {
  const { rt } = useStation();
  const plant = usePlant(rt);
  return (
    <SignatureDialog
      title={`Release hold ${hold.holdId}`}
      subject={
        <p className="release-subject">
          <Badge tone="hold">On hold</Badge> <strong>{describeSubject(hold.subject)}</strong> — {hold.reason}
          <span className="muted small">
            {' '}
            · placed by {personName(plant, hold.placedBy)} {formatDateTime(hold.placedAt)}
          </span>
        </p>
      }
      meaning={RELEASE_MEANING}
      reasonLabel="Reason for release"
      reasonRequired="Type the reason for the release; it is part of the signed record"
      submitLabel="Sign and release"
      onSign={({ badge, pin, reason }) => releaseHold(rt, { holdId: hold.holdId, signerBadge: badge, pin, reason })}
      onSigned={onReleased}
      onCancel={onCancel}
    />
  );
}
