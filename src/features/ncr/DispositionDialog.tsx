import { useState } from 'react';
import type { NcrItemRecord, Nonconformance } from '../../../schemas/nonconformance.ts';
import { usePlant, useStation } from '../../app/station-context.ts';
import type { Disposition } from '../../domain/ncr.ts';
import { DISPOSITION_MEANINGS, DISPOSITION_NAMES, needsConcurrence, needsCustomerApproval, ncrLabel, undispositionedQuantity } from '../../domain/ncr.ts';
import { operationsInOrder, routingOf, unitLabel } from '../../domain/plant.ts';
import { reinspectionChoices } from '../../domain/rework.ts';
import { needsRework } from '../../domain/ncr.ts';
import type { Manifestation } from '../../station/actions.ts';
import { dispositionNcr } from '../../station/actions.ts';
import { Badge, Field } from '../../ui/index.ts';
import { SignatureDialog } from '../signature/SignatureDialog.tsx';

const KINDS = Object.keys(DISPOSITION_NAMES) as Disposition[];

/**
 * The MRB disposition of one NCR item under electronic signature: quality signs (badge and PIN); use
 * as is and repair also take engineering's badge and PIN, and the customer's approval reference
 * where the work order's program requires it. Reuses the signature dialog of a hold release.
 */
export function DispositionDialog({ ncr, item, onCancel, onSigned }: { ncr: Nonconformance; item: NcrItemRecord; onCancel: () => void; onSigned: (m: Manifestation) => void }) {
  const { rt } = useStation();
  const plant = usePlant(rt);
  const [kind, setKind] = useState<Disposition>('rework');
  const open = undispositionedQuantity(item);
  const [quantity, setQuantity] = useState(String(open));
  const [engineeringBadge, setEngineeringBadge] = useState('');
  const [engineeringPin, setEngineeringPin] = useState('');
  const [customerRef, setCustomerRef] = useState('');
  const workOrder = plant.workOrders.get(ncr.workOrderId ?? '');
  // Rework and repair are done as operations inserted in the unit's traveler: at the work center of
  // the operation chosen here (rework: to its instruction), by default the one the NCR is about.
  const operations = workOrder === undefined ? [] : operationsInOrder(routingOf(plant, workOrder) ?? { partNumber: '', partRevision: '', operations: [] });
  const inTraveler = workOrder !== undefined && workOrder.units.some((u) => unitLabel(u) === unitLabel(item.unit)) && operations.length > 0;
  const [operationId, setOperationId] = useState(operations.some((op) => op.id === ncr.operationId) ? (ncr.operationId ?? '') : '');
  const [instructionRef, setInstructionRef] = useState('');
  const [instructionRevision, setInstructionRevision] = useState('');
  const [extra, setExtra] = useState<string[]>([]);
  const choices = needsRework(kind) && inTraveler ? reinspectionChoices(plant, ncr, item.unit, operationId === '' ? undefined : operationId) : undefined;
  // Only characteristics of the operation shown now; a choice left from another operation is dropped.
  const reinspect = choices === undefined ? [] : extra.filter((id) => choices.characteristics.some((c) => c.id === id) && !choices.fixed.includes(id));
  const concur = needsConcurrence(kind);
  const customer = needsCustomerApproval(workOrder, kind);
  return (
    <SignatureDialog
      title={`Disposition ${ncrLabel(ncr)}`}
      subject={
        <p className="release-subject">
          <Badge tone="hold">Contained</Badge> <strong>{item.unit.kind === 'lot' ? `${open} of lot ${item.unit.lotId}` : unitLabel(item.unit)}</strong> — {ncr.description}
        </p>
      }
      meaning={DISPOSITION_MEANINGS[kind]}
      reasonLabel="Reason for the disposition"
      reasonRequired="Type the reason for the disposition; it is part of the signed record"
      submitLabel="Sign disposition"
      onSign={async ({ badge, pin, reason }) => {
        const result = await dispositionNcr(rt, {
          ncrId: ncr.ncrId,
          itemId: item.itemId,
          disposition: kind,
          quantity: item.unit.kind === 'lot' ? Number(quantity) : 1,
          signerBadge: badge,
          pin,
          reason,
          ...(concur ? { concurrenceBadge: engineeringBadge, concurrencePin: engineeringPin } : {}),
          ...(customer ? { customerApprovalRef: customerRef } : {}),
          ...(needsRework(kind) && inTraveler && operationId !== '' ? { operationId } : {}),
          ...(kind === 'repair' ? { instruction: { ref: instructionRef, revision: instructionRevision } } : {}),
          ...(reinspect.length === 0 ? {} : { reinspect }),
        });
        if (!result.ok) setEngineeringPin('');
        return result.ok ? { ok: true, manifestation: result.manifestation } : { ok: false, message: result.message };
      }}
      onSigned={onSigned}
      onCancel={onCancel}
    >
      <div className="ncr-disposition-fields">
        <Field label="Disposition">
          {(control) => (
            <select {...control} value={kind} onChange={(e) => setKind(e.target.value as Disposition)}>
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {DISPOSITION_NAMES[k]}
                </option>
              ))}
            </select>
          )}
        </Field>
        {item.unit.kind === 'lot' && (
          <Field label="Quantity" hint={`Up to ${open}`}>
            {(control) => <input {...control} inputMode="numeric" value={quantity} onChange={(e) => setQuantity(e.target.value)} />}
          </Field>
        )}
        {needsRework(kind) && inTraveler && (
          <Field label={kind === 'rework' ? 'Rework to operation' : 'Repair at operation'} hint="Its work center does it; the affected characteristics are re-inspected after">
            {(control) => (
              <select {...control} value={operationId} onChange={(e) => setOperationId(e.target.value)}>
                {!operations.some((op) => op.id === ncr.operationId) && <option value="">the unit's next operation</option>}
                {operations.map((op) => (
                  <option key={op.id} value={op.id}>
                    {op.id} {op.name} ({op.workCenterId})
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        {kind === 'repair' && (
          <>
            <Field label="Repair instruction" hint="The approved repair instruction">
              {(control) => <input {...control} value={instructionRef} onChange={(e) => setInstructionRef(e.target.value)} autoComplete="off" />}
            </Field>
            <Field label="Repair instruction revision">
              {(control) => <input {...control} value={instructionRevision} onChange={(e) => setInstructionRevision(e.target.value)} autoComplete="off" />}
            </Field>
          </>
        )}
        {customer && (
          <Field label="Customer approval reference" hint={`${workOrder?.program ?? 'This'} program requires it`}>
            {(control) => <input {...control} value={customerRef} onChange={(e) => setCustomerRef(e.target.value)} autoComplete="off" />}
          </Field>
        )}
      </div>
      {choices !== undefined && (
        <fieldset className="ncr-reinspect">
          <legend>
            Re-inspect after the {kind === 'repair' ? 'repair' : 'rework'} ({choices.operation.id} {choices.operation.name}, {choices.operation.workCenterId})
          </legend>
          {choices.characteristics.map((c) => {
            const fixed = choices.fixed.includes(c.id);
            return (
              <label key={c.id} className="ncr-reinspect-choice">
                <input
                  type="checkbox"
                  checked={fixed || reinspect.includes(c.id)}
                  disabled={fixed}
                  onChange={(e) => setExtra((now) => (e.target.checked ? [...now.filter((id) => id !== c.id), c.id] : now.filter((id) => id !== c.id)))}
                />{' '}
                {c.id} {c.name}
                {fixed ? ' (the NCR is about it: always re-inspected)' : ''}
              </label>
            );
          })}
        </fieldset>
      )}
      {concur && (
        <fieldset className="ncr-concurrence">
          <legend>Engineering concurrence ({DISPOSITION_NAMES[kind]})</legend>
          <div className="signature-credentials">
            <Field label="Engineering badge">
              {(control) => <input {...control} value={engineeringBadge} onChange={(e) => setEngineeringBadge(e.target.value)} autoComplete="off" autoCapitalize="characters" />}
            </Field>
            <Field label="Engineering PIN">
              {(control) => <input {...control} type="password" inputMode="numeric" value={engineeringPin} onChange={(e) => setEngineeringPin(e.target.value)} autoComplete="off" />}
            </Field>
          </div>
        </fieldset>
      )}
    </SignatureDialog>
  );
}
