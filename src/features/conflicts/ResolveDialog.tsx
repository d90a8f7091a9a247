import type { Conflict } from '../../../schemas/conflict.ts';
import { useStation } from '../../app/station-context.ts';
import type { ResolveAction } from '../../domain/conflicts.ts';
import { REVIEW_MEANINGS } from '../../domain/conflicts.ts';
import type { Manifestation } from '../../station/actions.ts';
import { resolveConflict } from '../../station/actions.ts';
import { SignatureDialog } from '../signature/SignatureDialog.tsx';
import { ACTION_NAMES, FLAG_NAMES } from './names.ts';

/** The resolution signature for one conflict item: accept, void or open an NCR. */
export function ResolveDialog({
  conflict,
  description,
  action,
  onCancel,
  onResolved,
}: {
  conflict: Conflict;
  /** The conflict's description as the queue shows it (./describe.ts). */
  description: string;
  action: ResolveAction;
  onCancel: () => void;
  onResolved: (m: Manifestation) => void;
}) {
  const { rt } = useStation();
  return (
    <SignatureDialog
      title={`${ACTION_NAMES[action]}: ${FLAG_NAMES[conflict.flag]}`}
      subject={<p>{description}</p>}
      meaning={REVIEW_MEANINGS[action]}
      reasonLabel="Reason"
      reasonRequired="Type the reason for your decision; it is part of the signed record"
      submitLabel="Sign and resolve"
      onSign={({ badge, pin, reason }) => resolveConflict(rt, { conflictId: conflict.conflictId, action, signerBadge: badge, pin, reason })}
      onSigned={onResolved}
      onCancel={onCancel}
    />
  );
}
