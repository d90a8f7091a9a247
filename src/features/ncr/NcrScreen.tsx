import { useState } from 'react';
import type { NcrItemRecord, Nonconformance } from '../../../schemas/nonconformance.ts';
import { formatDateTime } from '../../app/format.ts';
import { usePlant, useSession, useStation } from '../../app/station-context.ts';
import { shortHoldId } from '../../domain/short-id.ts';
import { DISPOSITION_NAMES, DISPOSITION_ROLE, itemsOf, ncrLabel, pendingRework, undispositionedQuantity } from '../../domain/ncr.ts';
import { insertedOperationsOf } from '../../domain/rework.ts';
import type { PlantState } from '../../domain/plant.ts';
import { routingOf, unitLabel } from '../../domain/plant.ts';
import type { Manifestation } from '../../station/actions.ts';
import { Badge, Field } from '../../ui/index.ts';
import { SignatureManifestation } from '../holds/SignatureManifestation.tsx';
import { personName } from '../traveler/names.ts';
import { DispositionDialog } from './DispositionDialog.tsx';
import './ncr.css';

type StatusFilter = 'active' | 'open' | 'dispositioned' | 'closed' | 'all';

const STATUS_WORDS: Record<Nonconformance['status'], string> = { draft: 'Open', open: 'Open', dispositioned: 'Awaiting rework', closed: 'Closed' };

/** The part and work center an NCR is about, for the list and its filter. */
function whereOf(plant: PlantState, ncr: Nonconformance): { part: string; workCenter: string } {
  const workOrder = plant.workOrders.get(ncr.workOrderId ?? '');
  if (workOrder === undefined) return { part: '', workCenter: '' };
  const operation = ncr.operationId === undefined ? undefined : routingOf(plant, workOrder)?.operations.find((op) => op.id === ncr.operationId);
  return { part: `${workOrder.partNumber} rev ${workOrder.partRevision}`, workCenter: operation?.workCenterId ?? '' };
}

function itemText(item: NcrItemRecord): string {
  return item.unit.kind === 'lot' ? `${item.quantity} of lot ${item.unit.lotId}` : unitLabel(item.unit);
}

/**
 * Nonconformances for quality and supervisors: the open ones oldest first with their part and work
 * center, a filter, and each NCR with its items, what it contains, its history and the disposition
 * form under electronic signature (quality signs; docs/ncr.md).
 */
export function NcrScreen() {
  const { rt } = useStation();
  const { session } = useSession();
  const plant = usePlant(rt);
  const [status, setStatus] = useState<StatusFilter>('active');
  const [text, setText] = useState('');
  const [signing, setSigning] = useState<{ ncr: Nonconformance; item: NcrItemRecord } | null>(null);
  const [signed, setSigned] = useState<{ label: string; manifestation: Manifestation } | null>(null);
  const mayDisposition = session.role === DISPOSITION_ROLE;
  const needle = text.trim().toLowerCase();

  const ncrs = [...plant.nonconformances.values()]
    .filter((ncr) => {
      const s = ncr.status === 'draft' ? 'open' : ncr.status;
      if (status === 'active' ? s === 'closed' : status !== 'all' && s !== status) return false;
      if (needle === '') return true;
      const where = whereOf(plant, ncr);
      const hay = [ncrLabel(ncr), ncr.workOrderId ?? '', where.part, where.workCenter, ncr.description, ...itemsOf(plant, ncr).map(itemText)].join(' ').toLowerCase();
      return hay.includes(needle);
    })
    .sort((a, b) => a.openedAt.localeCompare(b.openedAt));

  return (
    <main className="screen">
      <h1>Nonconformances</h1>
      {!mayDisposition && <p className="notice">Quality signs dispositions; engineering concurs with use as is and repair.</p>}
      {signed !== null && (
        <section role="status" className="manifestation-panel" aria-label="Signature">
          <h2>{signed.label} dispositioned</h2>
          <SignatureManifestation manifestation={signed.manifestation} />
        </section>
      )}
      <div className="ncr-filters">
        <Field label="Show">
          {(control) => (
            <select {...control} value={status} onChange={(e) => setStatus(e.target.value as StatusFilter)}>
              <option value="active">Not closed</option>
              <option value="open">Open (to disposition)</option>
              <option value="dispositioned">Awaiting rework</option>
              <option value="closed">Closed</option>
              <option value="all">All</option>
            </select>
          )}
        </Field>
        <Field label="Filter" hint="NCR, work order, part, work center, serial or lot">
          {(control) => <input {...control} value={text} onChange={(e) => setText(e.target.value)} />}
        </Field>
      </div>
      {ncrs.length === 0 && <p className="notice">No nonconformances to show.</p>}
      <ol className="ncr-cards">
        {ncrs.map((ncr) => {
          const where = whereOf(plant, ncr);
          const items = itemsOf(plant, ncr);
          const hold = ncr.holdId === undefined ? undefined : plant.holds.get(ncr.holdId);
          return (
            <li key={ncr.ncrId}>
              <article className="panel ncr-card" aria-label={ncrLabel(ncr)}>
                <header className="ncr-card-head">
                  <h2 title={ncr.ncrId}>{ncrLabel(ncr)}</h2>
                  <Badge tone={ncr.status === 'closed' ? 'pass' : ncr.status === 'dispositioned' ? 'warn' : 'hold'}>{STATUS_WORDS[ncr.status]}</Badge>
                </header>
                <p className="ncr-description">{ncr.description}</p>
                <dl className="facts">
                  <div>
                    <dt>Opened</dt>
                    <dd>
                      {formatDateTime(ncr.openedAt)} by {ncr.openedBy === 'server' ? 'the server' : personName(plant, ncr.openedBy)}
                    </dd>
                  </div>
                  <div>
                    <dt>Work order</dt>
                    <dd>
                      {ncr.workOrderId ?? '—'} {where.part === '' ? '' : `· ${where.part}`}
                    </dd>
                  </div>
                  <div>
                    <dt>Work center</dt>
                    <dd>{where.workCenter === '' ? '—' : `${where.workCenter}${ncr.operationId === undefined ? '' : ` (${ncr.operationId})`}`}</dd>
                  </div>
                  <div>
                    <dt>Containment</dt>
                    <dd>
                      {ncr.status === 'closed' ? 'Released by disposition' : `Holds ${items.map(itemText).join(', ')}`}
                      {hold !== undefined && ` · hold ${shortHoldId(hold.holdId)} ${hold.status === 'active' ? 'in force' : 'released'}`}
                    </dd>
                  </div>
                </dl>
                <table className="table ncr-items">
                  <caption>Items</caption>
                  <thead>
                    <tr>
                      <th scope="col">Item</th>
                      <th scope="col">Disposition</th>
                      {mayDisposition && <th scope="col">Sign</th>}
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((item) => (
                      <tr key={item.itemId}>
                        <th scope="row">{itemText(item)}</th>
                        <td>
                          {item.dispositions.length === 0 && <Badge tone="hold">Not dispositioned</Badge>}
                          {item.dispositions.map((d) => (
                            <div key={d.eventId} className="ncr-disposition">
                              <strong>
                                {DISPOSITION_NAMES[d.disposition]}
                                {item.unit.kind === 'lot' ? ` × ${d.quantity}` : ''}
                              </strong>
                              {d.customerApprovalRef !== undefined && <span> · customer approval {d.customerApprovalRef}</span>}
                              <SignatureManifestation manifestation={d.signature} compact />
                              {d.concurrence !== undefined && <SignatureManifestation manifestation={d.concurrence} compact />}
                              {d.carriedOut !== undefined && (
                                <div className="small">
                                  Done by {personName(plant, d.carriedOut.actor)} at {formatDateTime(d.carriedOut.at)}: {d.carriedOut.note}
                                </div>
                              )}
                              {insertedOperationsOf(plant, ncr, item)
                                .filter((i) => i.disposition.eventId === d.eventId)
                                .map((i) => (
                                  <div key={i.operation.id} className="small">
                                    {i.operation.name} ({i.operation.instruction.ref} rev {i.operation.instruction.revision} · {i.operation.workCenterId}
                                    {i.operation.characteristics.length > 0 ? ` · ${i.operation.characteristics.map((c) => c.name).join(', ')}` : ''})
                                  </div>
                                ))}
                              {d.carriedOut === undefined && pendingRework(item).includes(d) && <Badge tone="warn">{DISPOSITION_NAMES[d.disposition]} not yet done</Badge>}
                            </div>
                          ))}
                        </td>
                        {mayDisposition && (
                          <td>
                            {undispositionedQuantity(item) > 0 && (
                              <button type="button" className="button" aria-label={`Disposition ${itemText(item)} on ${ncrLabel(ncr)}`} onClick={() => setSigning({ ncr, item })}>
                                Disposition
                              </button>
                            )}
                          </td>
                        )}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </article>
            </li>
          );
        })}
      </ol>
      {signing !== null && (
        <DispositionDialog
          ncr={signing.ncr}
          item={signing.item}
          onCancel={() => setSigning(null)}
          onSigned={(manifestation) => {
            setSigned({ label: ncrLabel(signing.ncr), manifestation });
            setSigning(null);
          }}
        />
      )}
    </main>
  );
}
