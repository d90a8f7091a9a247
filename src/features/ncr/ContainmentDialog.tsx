import type { Nonconformance } from '../../../schemas/nonconformance.ts';
import { usePlant, useStation } from '../../app/station-context.ts';
import { CONTAINMENT_MEANING, containmentPlan } from '../../domain/containment.ts';
import { ncrLabel } from '../../domain/ncr.ts';
import { unitLabel } from '../../domain/plant.ts';
import type { Manifestation } from '../../station/actions.ts';
import { containThroughGenealogy } from '../../station/actions.ts';
import { Badge } from '../../ui/index.ts';
import { SignatureDialog } from '../signature/SignatureDialog.tsx';

/** What a containment holds, in words: "SN-1001-01 (P-100, WO-1001)" or "196 of lot L-920-A (the rest)". */
export function targetText(t: { unit: Parameters<typeof unitLabel>[0]; quantity: number; kind: 'made' | 'rest'; workOrderId?: string; partNumber?: string }): string {
  if (t.kind === 'rest') return `${t.quantity} of lot ${unitLabel(t.unit)} (what remains)`;
  const about = [t.partNumber, t.workOrderId].filter((x) => x !== undefined).join(', ');
  return about === '' ? unitLabel(t.unit) : `${unitLabel(t.unit)} (${about})`;
}

/**
 * Extends an NCR's containment through genealogy under quality's signature: shows every unit made
 * from the suspect lot and what remains of it, as this station knows them, before signing
 * (docs/ncr.md). The server contains what this station could not know too.
 */
export function ContainmentDialog({ ncr, lotId, onCancel, onSigned }: { ncr: Nonconformance; lotId: string; onCancel: () => void; onSigned: (m: Manifestation, held: number) => void }) {
  const { rt } = useStation();
  const plant = usePlant(rt);
  const plan = containmentPlan(plant, ncr, lotId);
  const made = plan.targets.filter((t) => t.kind === 'made');
  const rest = plan.targets.filter((t) => t.kind === 'rest');
  return (
    <SignatureDialog
      title={`Contain every unit made from ${lotId}`}
      subject={
        <p className="release-subject">
          <Badge tone="hold">{ncrLabel(ncr)}</Badge> {ncr.description}
        </p>
      }
      meaning={CONTAINMENT_MEANING}
      reasonLabel="Reason for the containment"
      reasonRequired="Type the reason for the containment; it is part of the signed record"
      submitLabel="Sign containment"
      onSign={async ({ badge, pin, reason }) => {
        const result = await containThroughGenealogy(rt, { ncrId: ncr.ncrId, lotId, signerBadge: badge, pin, reason });
        return result.ok ? { ok: true, manifestation: result.manifestation } : { ok: false, message: result.message };
      }}
      onSigned={(m) => onSigned(m, plan.targets.length)}
      onCancel={onCancel}
    >
      <section className="ncr-contain-plan" aria-label="What will be held">
        <h3>What will be held ({plan.targets.length})</h3>
        {plan.targets.length === 0 && <p className="notice">Nothing made from {lotId} is left to contain on this station.</p>}
        {made.length > 0 && (
          <>
            <p>Made from {lotId}:</p>
            <ul className="ncr-contain-list">
              {made.map((t) => (
                <li key={unitLabel(t.unit)}>
                  <strong>{targetText(t)}</strong>
                  {t.path.length > 2 && <span className="small"> via {t.path.slice(1, -1).join(' › ')}</span>}
                </li>
              ))}
            </ul>
          </>
        )}
        {rest.length > 0 && <p>What remains of the lot{rest.length > 1 ? ' and of lots split or merged from it' : ''}:</p>}
        {rest.length > 0 && (
          <ul className="ncr-contain-list">
            {rest.map((t) => (
              <li key={unitLabel(t.unit)}>
                <strong>{targetText(t)}</strong>
              </li>
            ))}
          </ul>
        )}
        {plan.truncated && <p className="notice">The walk stopped at its limit: more may be made from {lotId} than shown.</p>}
        <p className="small">The server also holds what this station has not heard of yet, such as units built offline on another station.</p>
      </section>
    </SignatureDialog>
  );
}
