import { useEffect, useRef, useState } from 'react';
import type { NcrItemRecord, Nonconformance } from '../../../schemas/nonconformance.ts';
import { formatDateTime } from '../../app/format.ts';
import { usePlant, useSession, useStation } from '../../app/station-context.ts';
import { shortHoldId } from '../../domain/short-id.ts';
import { suspectLots } from '../../domain/containment.ts';
import { flatten, whereUsed } from '../../domain/genealogy.ts';
import { DISPOSITION_NAMES, DISPOSITION_ROLE, isActive, itemsOf, ncrLabel, pendingRework, undispositionedQuantity } from '../../domain/ncr.ts';
import { conflictSteps, insertedOperationsOf, ncrOperation } from '../../domain/rework.ts';
import type { PlantState } from '../../domain/plant.ts';
import { unitLabel } from '../../domain/plant.ts';
import type { Manifestation } from '../../station/actions.ts';
import { Badge, Button, Field } from '../../ui/index.ts';
import { SignatureManifestation } from '../holds/SignatureManifestation.tsx';
import { personName } from '../traveler/names.ts';
import { ContainmentDialog } from './ContainmentDialog.tsx';
import { DispositionDialog } from './DispositionDialog.tsx';
import { NcrPhoto } from './NcrPhoto.tsx';
import { useMrbDecides } from './use-mrb-decides.ts';
import './ncr.css';

type StatusFilter = 'active' | 'open' | 'dispositioned' | 'closed' | 'all';

const STATUS_WORDS: Record<Nonconformance['status'], string> = { draft: 'Open', open: 'Open', dispositioned: 'Awaiting rework', closed: 'Closed' };

/** The part and work center an NCR is about, for the list and its filter. */
function whereOf(plant: PlantState, ncr: Nonconformance, steps: ReadonlyMap<string, string>): { part: string; workCenter: string; operation: string } {
  const workOrder = plant.workOrders.get(ncr.workOrderId ?? '');
  if (workOrder === undefined) return { part: '', workCenter: '', operation: '' };
  const operation = ncrOperation(plant, ncr, steps);
  // An inserted operation's id is long (NCR-…-RW1): its name says what it is.
  const named = operation === undefined ? '' : operation.id.startsWith('NCR-') ? operation.name : operation.id;
  return { part: `${workOrder.partNumber} rev ${workOrder.partRevision}`, workCenter: operation?.workCenterId ?? '', operation: named };
}

function itemText(item: NcrItemRecord): string {
  return item.unit.kind === 'lot' ? `${item.quantity} of lot ${item.unit.lotId}` : unitLabel(item.unit);
}

/** Where a suspect lot went (the units that consumed it, transitively), in words, the first few named. */
function whereWent(plant: PlantState, lotId: string): string {
  const made = flatten(whereUsed(plant, { kind: 'lot', lotId }, { maxNodes: 500 }))
    .filter(({ node }) => node.returned !== true && node.repeated !== true)
    .map(({ node }) => (node.via?.kind === 'consumed' ? node.item.label : `lot ${node.item.label}`));
  if (made.length === 0) return `${lotId}: not used in anything yet`;
  const shown = made.slice(0, 8).join(', ');
  return `${lotId} went into ${shown}${made.length > 8 ? ` and ${made.length - 8} more` : ''}`;
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
  const [containing, setContaining] = useState<{ ncr: Nonconformance; lotId: string } | null>(null);
  const signedRef = useRef<HTMLElement>(null);
  // The newest outcome is the one in view: signing from a card far down the list scrolls up to it.
  useEffect(() => {
    if (signed !== null) signedRef.current?.scrollIntoView({ block: 'start' });
  }, [signed]);
  const [part, setPart] = useState('');
  const [workCenter, setWorkCenter] = useState('');
  const mayDisposition = session.role === DISPOSITION_ROLE;
  // With MRB_DECIDES=qms the QMS posts dispositions; the server would refuse one signed here (C35).
  const mrbInQms = useMrbDecides(rt) === 'qms';
  const needle = text.trim().toLowerCase();

  const steps = conflictSteps(plant);
  const wheres = new Map([...plant.nonconformances.values()].map((ncr) => [ncr.ncrId, whereOf(plant, ncr, steps)] as const));
  const ncrs = [...plant.nonconformances.values()]
    .filter((ncr) => {
      const s = ncr.status === 'draft' ? 'open' : ncr.status;
      if (status === 'active' ? s === 'closed' : status !== 'all' && s !== status) return false;
      const where = wheres.get(ncr.ncrId) ?? whereOf(plant, ncr, steps);
      if (part !== '' && where.part !== part) return false;
      if (workCenter !== '' && where.workCenter !== workCenter) return false;
      if (needle === '') return true;
      const hay = [ncrLabel(ncr), ncr.workOrderId ?? '', where.part, where.workCenter, ncr.description, ...itemsOf(plant, ncr).map(itemText)].join(' ').toLowerCase();
      return hay.includes(needle);
    })
    .sort((a, b) => a.openedAt.localeCompare(b.openedAt));
  const all = [...wheres.values()];
  const parts = [...new Set(all.map((w) => w.part).filter((x) => x !== ''))].sort();
  const workCenters = [...new Set(all.map((w) => w.workCenter).filter((x) => x !== ''))].sort();

  return (
    <main className="screen">
      <h1>Nonconformances</h1>
      {!mayDisposition && !mrbInQms && <p className="notice">Quality signs dispositions; engineering concurs with use as is and repair.</p>}
      {mrbInQms && (
        <p className="notice" data-testid="mrb-in-qms">
          MRB decides in the QMS: it posts each disposition to Travelog, and this station shows it once it has synced. Until then the item stays contained.
        </p>
      )}
      {signed !== null && (
        <section ref={signedRef} role="status" className="manifestation-panel" aria-label="Signature">
          <h2>{signed.label}</h2>
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
        <Field label="Part">
          {(control) => (
            <select {...control} value={part} onChange={(e) => setPart(e.target.value)}>
              <option value="">Every part</option>
              {parts.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Work center">
          {(control) => (
            <select {...control} value={workCenter} onChange={(e) => setWorkCenter(e.target.value)}>
              <option value="">Every work center</option>
              {workCenters.map((w) => (
                <option key={w} value={w}>
                  {w}
                </option>
              ))}
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
          const where = wheres.get(ncr.ncrId) ?? whereOf(plant, ncr, steps);
          const items = itemsOf(plant, ncr);
          const hold = ncr.holdId === undefined ? undefined : plant.holds.get(ncr.holdId);
          const lots = isActive(ncr) ? suspectLots(plant, ncr) : [];
          const tracedLots = [...suspectLots(plant, ncr), ...(ncr.containsFromLot === undefined ? [] : [ncr.containsFromLot])];
          return (
            <li key={ncr.ncrId}>
              <article className="panel ncr-card" aria-label={ncrLabel(ncr)}>
                <header className="ncr-card-head">
                  <h2 title={ncr.ncrId}>{ncrLabel(ncr)}</h2>
                  <Badge tone={ncr.status === 'closed' ? 'pass' : ncr.status === 'dispositioned' ? 'warn' : 'hold'}>{STATUS_WORDS[ncr.status]}</Badge>
                </header>
                <p className="ncr-description">{ncr.description}</p>
                {ncr.photo !== undefined && <NcrPhoto photo={ncr.photo} label={ncrLabel(ncr)} />}
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
                    <dd>{where.workCenter === '' ? '—' : `${where.workCenter}${where.operation === '' ? '' : ` (${where.operation})`}`}</dd>
                  </div>
                  <div>
                    <dt>Containment</dt>
                    <dd>
                      {ncr.status === 'closed' ? 'Released by disposition' : `Holds ${items.map(itemText).join(', ')}`}
                      {hold !== undefined && ` · hold ${shortHoldId(hold.holdId)} ${hold.status === 'active' ? 'in force' : 'released'}`}
                    </dd>
                  </div>
                  {tracedLots.length > 0 && (
                    <div>
                      <dt>Genealogy</dt>
                      <dd>{tracedLots.map((lotId) => whereWent(plant, lotId)).join('; ')}</dd>
                    </div>
                  )}
                </dl>
                {mayDisposition && lots.length > 0 && (
                  <div className="ncr-contain-actions">
                    {lots.map((lotId) => (
                      <button key={lotId} type="button" className="button" onClick={() => setContaining({ ncr, lotId })}>
                        Contain every unit made from {lotId}
                      </button>
                    ))}
                  </div>
                )}
                <section aria-label={`History of ${ncrLabel(ncr)}`}>
                  <h3 className="small">History</h3>
                  <ol className="ncr-history">
                    <li>
                      {formatDateTime(ncr.openedAt)}: opened by {ncr.openedBy === 'server' ? 'the server' : personName(plant, ncr.openedBy)}
                    </li>
                    {(ncr.containments ?? []).map((c) => (
                      <li key={c.eventId}>
                        Containment extended to what was made from lot {c.lotId}: {c.added} held
                        <SignatureManifestation manifestation={c.signature} compact />
                      </li>
                    ))}
                    {items.flatMap((item) =>
                      item.dispositions.map((d) => (
                        <li key={d.eventId}>
                          {formatDateTime(d.signature.signedAt)}: {itemText(item)} dispositioned {DISPOSITION_NAMES[d.disposition]} by {d.signature.printedName}
                          {d.carriedOut !== undefined && `; done ${formatDateTime(d.carriedOut.at)}`}
                        </li>
                      )),
                    )}
                  </ol>
                </section>
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
                        <th scope="row">
                          {itemText(item)}
                          {item.containedBy !== undefined && <div className="small">made from lot {item.containedBy.lotId}</div>}
                        </th>
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
                            {undispositionedQuantity(item) > 0 && !mrbInQms && (
                              <button type="button" className="button" aria-label={`Disposition ${itemText(item)} on ${ncrLabel(ncr)}`} onClick={() => setSigning({ ncr, item })}>
                                Disposition
                              </button>
                            )}
                            {undispositionedQuantity(item) > 0 && mrbInQms && (
                              <Button aria-label={`Disposition ${itemText(item)} on ${ncrLabel(ncr)}`} disabledReason="MRB decides in the QMS">
                                Disposition
                              </Button>
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
      {signing !== null && !mrbInQms && (
        <DispositionDialog
          ncr={signing.ncr}
          item={signing.item}
          onCancel={() => setSigning(null)}
          onSigned={(manifestation) => {
            setSigned({ label: `${ncrLabel(signing.ncr)} dispositioned`, manifestation });
            setSigning(null);
          }}
        />
      )}
      {containing !== null && (
        <ContainmentDialog
          ncr={containing.ncr}
          lotId={containing.lotId}
          onCancel={() => setContaining(null)}
          onSigned={(manifestation, held) => {
            setSigned({ label: `${ncrLabel(containing.ncr)}: ${held} more held, made from ${containing.lotId}`, manifestation });
            setContaining(null);
          }}
        />
      )}
    </main>
  );
}
