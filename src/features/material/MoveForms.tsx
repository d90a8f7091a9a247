/**
 * The forms of the Material screen, one per move. Each checks its fields as they are typed
 * (material-forms.ts) and, once the domain's check passes, hands the screen a review: what will be
 * recorded, in words, and how to record it. Nothing is recorded until the person confirms it.
 */
import { useEffect, useState } from 'react';
import type { FormEvent, MutableRefObject, ReactNode } from 'react';
import type { Lot } from '../../../schemas/lot.ts';
import { useSession, useStation } from '../../app/station-context.ts';
import type { PlantState } from '../../domain/plant.ts';
import type { ActionResult } from '../../station/actions.ts';
import { mergeLots, repackLot, returnMaterial, scrapItem, splitLot } from '../../station/actions.ts';
import type { FieldControlProps } from '../../ui/index.ts';
import { Button, Field } from '../../ui/index.ts';
import type { FormCheck, Found, MergeSource, MoveRecord, SplitRow } from './material-forms.ts';
import { blockedReason, builtIn, builtInWords, checkMergeForm, checkRepackForm, checkReturnForm, checkScrapForm, checkSplitForm, describeMove, foundId } from './material-forms.ts';

/** A move ready to be confirmed: what it records, in words, and the call that records it. */
export interface Review {
  title: string;
  summary: string;
  /** The confirm button's words. */
  confirm: string;
  /** A scrap: the confirm button is the danger one. */
  danger: boolean;
  record: () => Promise<ActionResult>;
}

/** Takes a scanned lot or serial into the open form; true when it did. */
export type ScanTarget = (text: string) => boolean;

interface FormProps {
  plant: PlantState;
  onReview: (review: Review) => void;
}

/** The form around a move's fields: its record button carries the reason it cannot be recorded yet. */
function MoveForm<P>({ label, button, danger = false, form, onReady, children, more }: { label: string; button: string; danger?: boolean; form: FormCheck<P>; onReady: (value: P) => void; children: ReactNode; more?: ReactNode }) {
  const reason = blockedReason(form);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (reason === null && form.check?.ok === true) onReady(form.check.value);
  };
  return (
    <form className="material-form" aria-label={label} onSubmit={submit} noValidate>
      {children}
      <div className="material-form-actions">
        <Button type="submit" variant={danger ? 'danger' : 'primary'} disabledReason={reason}>
          {button}
        </Button>
        {more}
      </div>
    </form>
  );
}

function ReasonField({ value, onChange, required }: { value: string; onChange: (text: string) => void; required: boolean }) {
  return (
    <Field label={required ? 'Reason' : 'Reason (optional)'}>
      {(control) => <input {...control} value={value} maxLength={500} onChange={(event) => onChange(event.target.value)} autoComplete="off" />}
    </Field>
  );
}

function LotIdInput({ control, value, onChange }: { control: FieldControlProps; value: string; onChange: (text: string) => void }) {
  return <input {...control} value={value} onChange={(event) => onChange(event.target.value)} autoComplete="off" autoCapitalize="characters" spellCheck={false} />;
}

function QuantityInput({ control, value, onChange, placeholder }: { control: FieldControlProps; value: string; onChange: (text: string) => void; placeholder?: string }) {
  return <input {...control} value={value} inputMode="decimal" onChange={(event) => onChange(event.target.value)} autoComplete="off" {...(placeholder === undefined ? {} : { placeholder })} />;
}

function review(move: MoveRecord, title: string, confirm: string, record: () => Promise<ActionResult>, danger = false): Review {
  return { title, summary: `${describeMove(move)}.`, confirm, danger, record };
}

/** Split a lot into new lots, each with its quantity; the lot keeps the rest. */
export function SplitForm({ plant, lot, onReview }: FormProps & { lot: Lot }) {
  const { rt } = useStation();
  const { session } = useSession();
  const [rows, setRows] = useState<SplitRow[]>([{ lotId: '', quantity: '' }]);
  const [reason, setReason] = useState('');
  const form = checkSplitForm(plant, lot, rows, reason);
  const set = (i: number, change: Partial<SplitRow>) => setRows((list) => list.map((row, j) => (j === i ? { ...row, ...change } : row)));
  const taken = form.check?.ok === true ? form.check.value.children.reduce((sum, c) => sum + c.quantity, 0) : null;
  return (
    <MoveForm
      label={`Split lot ${lot.lotId}`}
      button="Record split"
      form={form}
      more={
        <>
          {rows.length < 10 && <Button onClick={() => setRows((list) => [...list, { lotId: '', quantity: '' }])}>Add another new lot</Button>}
          <span data-testid="split-keeps">
            {taken === null ? `${lot.remaining} left of ${lot.lotId}` : `${lot.lotId} keeps ${lot.remaining - taken}`}
          </span>
        </>
      }
      onReady={(payload) =>
        onReview(
          review({ type: 'lot.split', payload }, `Record this split of ${lot.lotId}?`, 'Record split', () =>
            splitLot(rt, session, lot.lotId, payload.children.map((c) => ({ lotId: c.lotId, quantity: c.quantity })), reason),
          ),
        )
      }
    >
      {rows.map((row, i) => (
        <div className="material-row" key={i}>
          <Field label={`New lot ${i + 1}`} error={form.errors[`lot-${i}`] ?? null}>
            {(control) => <LotIdInput control={control} value={row.lotId} onChange={(lotId) => set(i, { lotId })} />}
          </Field>
          <Field label={`Quantity for new lot ${i + 1}`} error={form.errors[`quantity-${i}`] ?? null}>
            {(control) => <QuantityInput control={control} value={row.quantity} onChange={(quantity) => set(i, { quantity })} />}
          </Field>
          {rows.length > 1 && (
            <Button onClick={() => setRows((list) => list.filter((_, j) => j !== i))} aria-label={`Remove new lot ${i + 1}`}>
              Remove
            </Button>
          )}
        </div>
      ))}
      <ReasonField value={reason} onChange={setReason} required={false} />
    </MoveForm>
  );
}

/** Merge this lot with other lots of the same part into a new lot. A lot scanned while it is open joins it. */
export function MergeForm({ plant, lot, onReview, scanTargetRef }: FormProps & { lot: Lot; scanTargetRef: MutableRefObject<ScanTarget | null> }) {
  const { rt } = useStation();
  const { session } = useSession();
  const [firstQuantity, setFirstQuantity] = useState('');
  const [sources, setSources] = useState<MergeSource[]>([{ lotId: '', quantity: '' }]);
  const [into, setInto] = useState('');
  const [reason, setReason] = useState('');
  const form = checkMergeForm(plant, lot, firstQuantity, sources, into, reason);
  const set = (i: number, change: Partial<MergeSource>) => setSources((list) => list.map((s, j) => (j === i ? { ...s, ...change } : s)));

  useEffect(() => {
    scanTargetRef.current = (text) => {
      setSources((list) => {
        const empty = list.findIndex((s) => s.lotId.trim() === '');
        return empty === -1 ? [...list, { lotId: text, quantity: '' }] : list.map((s, j) => (j === empty ? { ...s, lotId: text } : s));
      });
      return true;
    };
    return () => {
      scanTargetRef.current = null;
    };
  }, [scanTargetRef]);

  return (
    <MoveForm
      label={`Merge lot ${lot.lotId}`}
      button="Record merge"
      form={form}
      more={
        <>
          {sources.length < 10 && <Button onClick={() => setSources((list) => [...list, { lotId: '', quantity: '' }])}>Add another lot</Button>}
          <span className="muted">Scan a lot to add it.</span>
        </>
      }
      onReady={(payload) =>
        onReview(
          review({ type: 'lot.merged', payload }, `Record this merge into ${payload.into.lotId}?`, 'Record merge', () =>
            mergeLots(rt, session, payload.sources.map((s) => ({ lotId: s.lotId, quantity: s.quantity })), payload.into.lotId, reason),
          ),
        )
      }
    >
      <div className="material-row">
        <Field label={`Quantity from ${lot.lotId}`} error={form.errors['first-quantity'] ?? null}>
          {(control) => <QuantityInput control={control} value={firstQuantity} onChange={setFirstQuantity} placeholder={`all ${lot.remaining}`} />}
        </Field>
        <Field label="New lot" error={form.errors['into'] ?? null}>
          {(control) => <LotIdInput control={control} value={into} onChange={setInto} />}
        </Field>
      </div>
      {sources.map((source, i) => (
        <div className="material-row" key={i}>
          <Field label={`Other lot ${i + 1}`} error={form.errors[`source-${i}`] ?? null}>
            {(control) => <LotIdInput control={control} value={source.lotId} onChange={(lotId) => set(i, { lotId })} />}
          </Field>
          <Field label={`Quantity from other lot ${i + 1}`} error={form.errors[`source-quantity-${i}`] ?? null}>
            {(control) => <QuantityInput control={control} value={source.quantity} onChange={(quantity) => set(i, { quantity })} placeholder="all" />}
          </Field>
          {sources.length > 1 && (
            <Button onClick={() => setSources((list) => list.filter((_, j) => j !== i))} aria-label={`Remove other lot ${i + 1}`}>
              Remove
            </Button>
          )}
        </div>
      ))}
      <ReasonField value={reason} onChange={setReason} required={false} />
    </MoveForm>
  );
}

/** Repack a quantity of this lot (all that is left by default) as a new lot of the same part, its provenance carried. */
export function RepackForm({ plant, lot, onReview }: FormProps & { lot: Lot }) {
  const { rt } = useStation();
  const { session } = useSession();
  const [into, setInto] = useState('');
  const [quantity, setQuantity] = useState('');
  const [reason, setReason] = useState('');
  const form = checkRepackForm(plant, lot, into, quantity, reason);
  return (
    <MoveForm
      label={`Repack lot ${lot.lotId}`}
      button="Record repack"
      form={form}
      onReady={(payload) =>
        onReview(review({ type: 'lot.repacked', payload }, `Record this repack of ${lot.lotId}?`, 'Record repack', () => repackLot(rt, session, lot.lotId, { lotId: payload.into.lotId, quantity: payload.into.quantity }, reason)))
      }
    >
      <div className="material-row">
        <Field label="New lot" error={form.errors['into'] ?? null}>
          {(control) => <LotIdInput control={control} value={into} onChange={setInto} />}
        </Field>
        <Field label="Quantity repacked" error={form.errors['quantity'] ?? null}>
          {(control) => <QuantityInput control={control} value={quantity} onChange={setQuantity} placeholder={`all ${lot.remaining}`} />}
        </Field>
      </div>
      <ReasonField value={reason} onChange={setReason} required={false} />
    </MoveForm>
  );
}

/** Scrap the serial, or a quantity of the lot, with the reason. */
export function ScrapForm({ plant, found, onReview }: FormProps & { found: Found }) {
  const { rt } = useStation();
  const { session } = useSession();
  const [quantity, setQuantity] = useState('');
  const [reason, setReason] = useState('');
  const form = checkScrapForm(plant, found, quantity, reason);
  const id = foundId(found);
  return (
    <MoveForm
      label={`Scrap ${id}`}
      button="Record scrap"
      danger
      form={form}
      onReady={(payload) =>
        onReview(
          review(
            { type: 'unit.scrapped', payload },
            `Scrap ${payload.item.kind === 'serial' ? `serial ${id}` : `${payload.item.quantity} of lot ${id}`}?`,
            'Record scrap',
            () => scrapItem(rt, session, payload.item.kind === 'serial' ? { kind: 'serial', serial: payload.item.serial } : { kind: 'lot', lotId: payload.item.lotId, quantity: payload.item.quantity }, reason),
            true,
          ),
        )
      }
    >
      {found.kind === 'lot' ? (
        <Field label="Quantity scrapped" error={form.errors['quantity'] ?? null}>
          {(control) => <QuantityInput control={control} value={quantity} onChange={setQuantity} />}
        </Field>
      ) : (
        <p>The whole serial {id} is scrapped: a serialized part has no quantity.</p>
      )}
      <ReasonField value={reason} onChange={setReason} required />
    </MoveForm>
  );
}

/** Return material taken back unconsumed from where it is built in: a serial whole, a lot quantity (all by default). */
export function ReturnForm({ plant, found, onReview }: FormProps & { found: Found }) {
  const { rt } = useStation();
  const { session } = useSession();
  const places = builtIn(plant, found);
  const [chosen, setChosen] = useState(places.length === 1 ? (places[0]?.record.eventId ?? '') : '');
  const [quantity, setQuantity] = useState('');
  const [reason, setReason] = useState('');
  const place = places.find((p) => p.record.eventId === chosen);
  const form = checkReturnForm(plant, place, quantity, reason);
  return (
    <MoveForm
      label={`Return ${foundId(found)}`}
      button="Record return"
      form={form}
      onReady={(payload) =>
        onReview(
          review({ type: 'material.returned', payload }, `Record this return of ${foundId(found)}?`, 'Record return', () =>
            returnMaterial(
              rt,
              session,
              { workOrderId: payload.workOrderId, unit: payload.unit, operationId: payload.operationId, consumedEventId: payload.consumedEventId, ...(payload.material.kind === 'lot' ? { quantity: payload.material.quantity } : {}) },
              reason,
            ),
          ),
        )
      }
    >
      <div className="material-row">
        <Field label="Taken back from">
          {(control) => (
            <select {...control} value={chosen} onChange={(event) => setChosen(event.target.value)}>
              {places.length !== 1 && <option value="">Choose…</option>}
              {places.map((p) => (
                <option key={p.record.eventId} value={p.record.eventId}>
                  {builtInWords(p)}
                </option>
              ))}
            </select>
          )}
        </Field>
        {found.kind === 'lot' && (
          <Field label="Quantity returned" error={form.errors['quantity'] ?? null}>
            {(control) => <QuantityInput control={control} value={quantity} onChange={setQuantity} {...(place === undefined ? {} : { placeholder: `all ${place.net}` })} />}
          </Field>
        )}
      </div>
      <ReasonField value={reason} onChange={setReason} required />
    </MoveForm>
  );
}
