import { useState } from 'react';
import type { UnitRef } from '../../../schemas/common.ts';
import { usePlant, useSession, useStation } from '../../app/station-context.ts';
import { DISPOSITION_NAMES, OPEN_NCR_ROLES, describeStop, itemsOf, ncrLabel, ncrsOn, pendingRework } from '../../domain/ncr.ts';
import { insertedOperationsOf, ncrStopAt, travelerOfItem } from '../../domain/rework.ts';
import { stepKey } from '../../domain/plant.ts';
import { unitKey, unitLabel } from '../../domain/plant.ts';
import type { ActionResult } from '../../station/actions.ts';
import { openNcr, recordRework } from '../../station/actions.ts';
import { Badge, Button, Field } from '../../ui/index.ts';
import { NcrPhoto } from './NcrPhoto.tsx';
import { PhotoCapture } from './PhotoCapture.tsx';
import type { TakenPhoto } from './photo.ts';
import './ncr.css';

/**
 * The nonconformances of the unit at the step: what stops it and why, a use-as-is concession, the
 * rework to record before it continues, and the red tag to open an NCR by hand (offline too).
 */
export function NcrPanel({ workOrderId, operationId, unit, act }: { workOrderId: string; operationId: string; unit: UnitRef; act: (run: () => Promise<ActionResult>, done: string) => Promise<void> }) {
  const { rt } = useStation();
  const { session } = useSession();
  const plant = usePlant(rt);
  const [tagging, setTagging] = useState(false);
  const [description, setDescription] = useState('');
  const [quantity, setQuantity] = useState('1');
  const [note, setNote] = useState('');
  const [photo, setPhoto] = useState<TakenPhoto | null>(null);
  const ncrs = ncrsOn(plant, unit);
  const stop = ncrStopAt(plant, workOrderId, unit, operationId);
  const mayOpen = OPEN_NCR_ROLES.includes(session.role);
  const label = unitLabel(unit);

  return (
    <section className="panel ncr-list" aria-label="Nonconformances">
      <h2>Nonconformances</h2>
      {stop !== undefined && (
        <p>
          <Badge tone="hold">{stop.why === 'rework-pending' ? 'Rework to do' : stop.why === 'left-production' ? 'Left production' : 'Held by NCR'}</Badge> {describeStop(stop, unit, plant)}
        </p>
      )}
      {ncrs.length === 0 && <p className="muted">No NCR on {label}.</p>}
      {ncrs.map((ncr) => {
        const item = itemsOf(plant, ncr).find((i) => unitKey(i.unit) === unitKey(unit));
        return (
          <div key={ncr.ncrId} className="ncr-panel-item">
            <strong title={ncr.ncrId}>{ncrLabel(ncr)}</strong> {ncr.status === 'closed' ? <Badge tone="pass">Closed</Badge> : ncr.status === 'dispositioned' ? <Badge tone="warn">Awaiting rework</Badge> : <Badge tone="hold">Open</Badge>} — {ncr.description}
            {ncr.photo !== undefined && <NcrPhoto photo={ncr.photo} label={ncrLabel(ncr)} />}
            {item?.dispositions.map((d) => (
              <div key={d.eventId} className="small">
                {d.disposition === 'use-as-is' ? 'Concession: ' : 'Disposition: '}
                {DISPOSITION_NAMES[d.disposition]}
                {item.unit.kind === 'lot' ? `, ${d.quantity} of lot ${item.unit.lotId}` : ''}, signed by {d.signature.printedName}
                {d.concurrence === undefined ? '' : ` and ${d.concurrence.printedName} (engineering)`}
                {d.customerApprovalRef === undefined ? '' : `, customer approval ${d.customerApprovalRef}`}
                {d.carriedOut === undefined ? '' : ` — done: ${d.carriedOut.note}`}
                {item !== undefined &&
                  insertedOperationsOf(plant, ncr, item)
                    .filter((i) => i.disposition.eventId === d.eventId)
                    .map((i) => (
                      <div key={i.operation.id}>
                        {i.operation.name}: {plant.steps.get(stepKey(workOrderId, unit, i.operation.id))?.completed === undefined ? 'to do' : 'complete'} ({i.operation.instruction.ref} rev {i.operation.instruction.revision} · {i.operation.workCenterId})
                      </div>
                    ))}
              </div>
            ))}
            {item !== undefined && pendingRework(item).length > 0 && travelerOfItem(plant, ncr, item.unit) === undefined && (
              <form
                className="ncr-red-tag"
                onSubmit={(e) => {
                  e.preventDefault();
                  void act(() => recordRework(rt, session, { ncrId: ncr.ncrId, itemId: item.itemId, note }), `Rework recorded on ${label}; it may continue`).then(() => setNote(''));
                }}
              >
                <Field label="What was done, to which instruction">{(control) => <input {...control} value={note} onChange={(e) => setNote(e.target.value)} />}</Field>
                <Button type="submit">Record rework</Button>
              </form>
            )}
          </div>
        );
      })}
      {mayOpen && !tagging && (
        <Button variant="secondary" onClick={() => setTagging(true)}>
          Open NCR (red tag)
        </Button>
      )}
      {mayOpen && tagging && (
        <form
          className="ncr-red-tag"
          aria-label="Red tag"
          onSubmit={(e) => {
            e.preventDefault();
            void act(
              () =>
                openNcr(rt, session, {
                  workOrderId,
                  operationId,
                  items: [{ unit, quantity: unit.kind === 'lot' ? Number(quantity) : 1 }],
                  description,
                  ...(photo === null ? {} : { photo: { data: photo.data, ref: photo.ref } }),
                }),
              `NCR opened on ${label}${photo === null ? '' : ' with a photo'}: it is held until quality dispositions it`,
            ).then(() => {
              setTagging(false);
              setDescription('');
              setPhoto(null);
            });
          }}
        >
          <Field label="What is wrong">{(control) => <textarea {...control} rows={2} maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} />}</Field>
          {unit.kind === 'lot' && <Field label="Quantity of the lot">{(control) => <input {...control} inputMode="numeric" value={quantity} onChange={(e) => setQuantity(e.target.value)} />}</Field>}
          <PhotoCapture photo={photo} onChange={setPhoto} />
          <div className="actions">
            <Button type="submit" variant="primary">
              Open NCR
            </Button>
            <Button
              onClick={() => {
                setTagging(false);
                setPhoto(null);
              }}
            >
              Cancel
            </Button>
          </div>
        </form>
      )}
    </section>
  );
}
