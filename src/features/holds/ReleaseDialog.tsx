import type { Hold } from '../../../schemas/hold.ts';
import { describeSubject } from '../../app/format.ts';
import { useStation } from '../../app/station-context.ts';
import { RELEASE_MEANING } from '../../domain/holds.ts';
import type { Manifestation } from '../../station/actions.ts';
import { releaseHold } from '../../station/actions.ts';
import { SignatureDialog } from '../signature/SignatureDialog.tsx';

/** The release signature for one hold: it clears only the hold it names. */
export function ReleaseDialog({ hold, onCancel, onReleased }: { hold: Hold; onCancel: () => void; onReleased: (m: Manifestation) => void }) {
  const { rt } = useStation();
  return (
    <SignatureDialog
      title={`Release hold ${hold.holdId}`}
      subject={
        <p>
          <strong>{describeSubject(hold.subject)}</strong> — {hold.reason}
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
