/**
 * The Material screen (`/material`; docs/genealogy.md, "The station's Material screen"): a lot or
 * serial scanned or typed, what the station knows of it (part, what is left, where it came from,
 * where it is built in, holds and NCRs), and the moves a person records on the floor: split a lot,
 * merge lots, repack one, scrap a serial or a quantity of a lot, return material taken back
 * unconsumed. Each field is checked as it is typed and each move by the domain's own check before
 * the person confirms; a refusal records nothing. Moves are saved on the station first (offline
 * too) and go to the server with the next sync; the list at the bottom says which are still waiting.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { StationEvent } from '../../../schemas/event.ts';
import { formatDateTime } from '../../app/format.ts';
import { usePlant, useSession, useStation } from '../../app/station-context.ts';
import { asEvent } from '../../db/database.ts';
import { describeStop, ncrStopsOn, ncrContainingLot, containedQuantity, ncrLabel } from '../../domain/ncr.ts';
import type { PlantState } from '../../domain/plant.ts';
import { unitLabel } from '../../domain/plant.ts';
import { parseScan } from '../../scan/parse.ts';
import { shortHoldId } from '../../domain/short-id.ts';
import type { ActionResult } from '../../station/actions.ts';
import { Badge, Button, Dialog, MessageArea, OutcomeProvider, SearchForm, useOutcome } from '../../ui/index.ts';
import { readableDescription } from '../conflicts/describe.ts';
import { FLAG_NAMES } from '../conflicts/names.ts';
import { scannedItem } from '../genealogy/find-genealogy.ts';
import { CameraScanner } from '../scan/CameraScanner.tsx';
import { scanFeedback } from '../scan/feedback.ts';
import { stationParseOptions } from '../scan/scan-options.ts';
import { useWedgeScan } from '../scan/use-wedge-scan.ts';
import { useServerVerdicts } from '../traveler/attention.ts';
import { personName } from '../traveler/names.ts';
import type { Found, Move } from './material-forms.ts';
import { builtIn, builtInWords, describeMove, findMaterial, foundId, isMoveEvent, moveBlocker, refresh } from './material-forms.ts';
import { MATERIAL_ROLES } from './roles.ts';
import type { Review, ScanTarget } from './MoveForms.tsx';
import { MergeForm, RepackForm, ReturnForm, ScrapForm, SplitForm } from './MoveForms.tsx';
import './material.css';

export function MaterialScreen() {
  return (
    <OutcomeProvider>
      <Material />
    </OutcomeProvider>
  );
}

const MOVE_WORDS: Record<Move, string> = { split: 'Split', merge: 'Merge', repack: 'Repack', scrap: 'Scrap', return: 'Return' };

/** The moves offered for a lot, and for a serial (a serialized part never moves by quantity). */
const LOT_MOVES: readonly Move[] = ['split', 'merge', 'repack', 'scrap', 'return'];
const SERIAL_MOVES: readonly Move[] = ['scrap', 'return'];

function Material() {
  const { rt, config } = useStation();
  const { session } = useSession();
  const plant = usePlant(rt);
  const { show, clear } = useOutcome();
  const [typed, setTyped] = useState('');
  const [lookedUp, setLookedUp] = useState<Found | null>(null);
  const [move, setMove] = useState<Move | null>(null);
  const [review, setReview] = useState<Review | null>(null);
  const [busy, setBusy] = useState(false);
  // Bumped after each move recorded, so the form starts empty again.
  const [formKey, setFormKey] = useState(0);
  const scanTargetRef = useRef<ScanTarget | null>(null);
  const found = lookedUp === null ? null : refresh(plant, lookedUp);

  const lookUp = useCallback(
    (text: string, kind?: 'lot' | 'serial') => {
      const raw = text.trim();
      if (raw === '') return;
      // Typed as the plant spells it, or a label (GS1, ISO 15434, …) read for the lot or serial it names.
      let item = findMaterial(plant, raw, kind);
      if (item === null) {
        const label = scannedItem(parseScan(raw, stationParseOptions(plant, config.scanner)));
        if (label.ok) item = findMaterial(plant, label.text, label.kind);
      }
      setMove(null);
      setReview(null);
      if (item === null) {
        setLookedUp(null);
        show({ kind: 'refusal', message: `This station knows no lot or serial ${raw}. Check the label; a lot received today may not have reached this station yet.` });
        scanFeedback('refused');
        return;
      }
      clear();
      setLookedUp(item);
      setTyped(foundId(item));
    },
    [plant, config.scanner, show, clear],
  );

  // A wedge scan looks up what it names; with a merge open, a lot scanned joins the merge. A scan
  // typed into one of a move's fields (a new lot's pre-printed label) stays in that field.
  const scanned = (raw: string) => {
    const active = document.activeElement;
    if (active instanceof HTMLElement && active.closest('[data-move-form]') !== null) return;
    const label = scannedItem(parseScan(raw, stationParseOptions(plant, config.scanner)));
    if (label.ok && scanTargetRef.current !== null && scanTargetRef.current(label.text)) return;
    lookUp(label.ok ? label.text : raw, label.ok ? label.kind : undefined);
  };
  useWedgeScan(scanned, review === null);

  const allowed = MATERIAL_ROLES.includes(session.role);

  const confirm = async () => {
    if (review === null) return;
    setBusy(true);
    let result: ActionResult;
    try {
      result = await review.record();
    } catch (error) {
      result = { ok: false, code: 'invalid-quantity', message: error instanceof Error ? error.message : String(error) };
    } finally {
      setBusy(false);
    }
    setReview(null);
    if (!result.ok) {
      show({ kind: 'refusal', message: `Not recorded: ${result.message}` });
      scanFeedback('refused');
      return;
    }
    const event = result.event;
    // The move is done: its form closes, so what the station now knows and the moves recorded are in view.
    setFormKey((k) => k + 1);
    setMove(null);
    const words = isMoveEvent(event) ? describeMove(event) : review.summary;
    show({ kind: 'success', message: `${words}. Saved on this station; it goes to the server with the next sync.` });
    scanFeedback('accepted');
  };

  if (!allowed) {
    return (
      <main className="screen narrow">
        <h1>Material</h1>
        <p className="notice">Operators, supervisors and quality record material moves (split, merge, repack, scrap, return); a {session.role} does not.</p>
      </main>
    );
  }

  const moves = found === null ? [] : found.kind === 'lot' ? LOT_MOVES : SERIAL_MOVES;
  const blocker = found === null || move === null ? null : moveBlocker(plant, found, move);

  return (
    <main className="screen material-screen">
      <div className="material-top">
        <h1>Material</h1>
        <div className="material-lookup">
          <SearchForm label="Lot or serial" placeholder="Scan, or type: L-910-A, BRG-0003" value={typed} onChange={setTyped} onSearch={(text) => lookUp(text)}>
            <Button type="submit" variant={found === null ? 'primary' : 'secondary'} disabledReason={typed.trim() === '' ? 'Scan or type a lot or serial' : null}>
              Look up
            </Button>
            <CameraScanner onScan={scanned} />
          </SearchForm>
        </div>
      </div>
      <MessageArea />
      {found !== null && (
        <div className="material-work">
          <Facts plant={plant} found={found} />
          <section className="material-move" aria-label="Record a move">
            <div role="group" aria-label="What to record" className="material-moves">
              {moves.map((m) => (
                <Button key={m} variant={move === m ? 'primary' : 'secondary'} aria-pressed={move === m} onClick={() => setMove(move === m ? null : m)}>
                  {MOVE_WORDS[m]}
                </Button>
              ))}
            </div>
            {found.kind === 'serial' && move === null && (
              <p className="muted">A serialized part moves whole: it is scrapped or returned, never split, merged or repacked by quantity.</p>
            )}
            {move !== null && blocker !== null && (
              <p className="material-blocked" role="alert" data-testid="move-blocked">
                <Badge tone="fail">Not possible</Badge> {blocker}
              </p>
            )}
            {move !== null && blocker === null && (
              <div data-move-form="" key={`${move}-${foundId(found)}-${formKey}`}>
                {move === 'split' && found.kind === 'lot' && <SplitForm plant={plant} lot={found.lot} onReview={setReview} />}
                {move === 'merge' && found.kind === 'lot' && <MergeForm plant={plant} lot={found.lot} onReview={setReview} scanTargetRef={scanTargetRef} />}
                {move === 'repack' && found.kind === 'lot' && <RepackForm plant={plant} lot={found.lot} onReview={setReview} />}
                {move === 'scrap' && <ScrapForm plant={plant} found={found} onReview={setReview} />}
                {move === 'return' && <ReturnForm plant={plant} found={found} onReview={setReview} />}
              </div>
            )}
          </section>
        </div>
      )}
      <RecentMoves plant={plant} />
      {review !== null && (
        <Dialog
          title={review.title}
          about={<p data-testid="move-summary">{review.summary}</p>}
          onClose={() => setReview(null)}
          onSubmit={(event) => {
            event.preventDefault();
            void confirm();
          }}
          actions={
            <>
              <Button type="submit" variant={review.danger ? 'danger' : 'primary'} busy={busy}>
                {review.confirm}
              </Button>
              <Button onClick={() => setReview(null)}>Back</Button>
            </>
          }
        >
          <p>
            Recorded by {session.name} ({session.badge}) now, saved on this station and sent to the server with the next sync.
            {review.danger ? ' A scrap is final: nothing at the station takes it back.' : ''}
          </p>
        </Dialog>
      )}
    </main>
  );
}

/** What the station knows of the lot or serial: part, what is left, provenance or origin, where it is built in, holds and NCRs. */
function Facts({ plant, found }: { plant: PlantState; found: Found }) {
  const id = foundId(found);
  const partNumber = found.kind === 'lot' ? found.lot.partNumber : found.serial.partNumber;
  const part = plant.parts.get(partNumber);
  const unit = found.kind === 'lot' ? ({ kind: 'lot', lotId: id } as const) : ({ kind: 'serial', serial: id } as const);
  const holds = [...plant.holds.values()].filter((h) => h.status === 'active' && h.subject.kind === unit.kind && unitLabel(h.subject) === id);
  const stops = found.kind === 'serial' ? ncrStopsOn(plant, unit) : [];
  const contained = found.kind === 'lot' ? containedQuantity(plant, id) : 0;
  const containing = found.kind === 'lot' && contained > 0 ? ncrContainingLot(plant, id) : undefined;
  const places = builtIn(plant, found);
  return (
    <section className="material-facts" aria-label={`${found.kind === 'lot' ? 'Lot' : 'Serial'} ${id}`}>
      <h2>
        {found.kind === 'lot' ? 'Lot' : 'Serial'} {id}
      </h2>
      <dl className="facts">
        <div>
          <dt>Part</dt>
          <dd>
            {partNumber}
            {part !== undefined && ` ${part.description}`}
            {part !== undefined && <span className="muted small"> ({part.tracking === 'serial' ? 'serialized' : 'by lot'})</span>}
          </dd>
        </div>
        {found.kind === 'lot' && (
          <div>
            <dt>Left</dt>
            <dd data-testid="lot-left">
              {found.lot.remaining} of {found.lot.quantity}
            </dd>
          </div>
        )}
        {found.kind === 'serial' && found.serial.workOrderId !== undefined && (
          <div>
            <dt>Made by</dt>
            <dd>{found.serial.workOrderId}</dd>
          </div>
        )}
      </dl>
      {found.kind === 'lot' && found.lot.provenance !== undefined && (
        <p data-testid="provenance">
          From {found.lot.provenance.supplier}
          {found.lot.provenance.supplierLot !== undefined && `, supplier lot ${found.lot.provenance.supplierLot}`}
          {found.lot.provenance.heatNumber !== undefined && `, heat ${found.lot.provenance.heatNumber}`}, certificate {found.lot.provenance.certificate}, received {found.lot.provenance.receivedDate}
        </p>
      )}
      {found.kind === 'lot' && found.lot.origin !== undefined && (
        <p data-testid="origin">
          {found.lot.origin.kind === 'split' ? 'Split from' : found.lot.origin.kind === 'merged' ? 'Merged from' : 'Repacked from'}{' '}
          {found.lot.origin.from.map((f) => `${f.quantity} of ${f.lotId}`).join(' and ')} by {personName(plant, found.lot.origin.actor)} on {formatDateTime(found.lot.origin.at)}
        </p>
      )}
      {found.kind === 'lot' && found.lot.provenance === undefined && found.lot.origin === undefined && <p className="muted">Made in the plant; no supplier of its own.</p>}
      <ul className="material-notes">
        {found.kind === 'serial' && found.serial.consumedInto !== undefined && (
          <li>
            <Badge tone="info">Built in</Badge> in {found.serial.consumedInto.unitKey.replace(/^(serial|lot):/, '')} of {found.serial.consumedInto.workOrderId}
          </li>
        )}
        {found.kind === 'lot' &&
          places.map((place) => (
            <li key={place.record.eventId}>
              <Badge tone="info">Built in</Badge> {builtInWords(place)}
            </li>
          ))}
        {found.kind === 'serial' && found.serial.scrapped !== undefined && (
          <li>
            <Badge tone="fail">Scrapped</Badge> {found.serial.scrapped.reason}, by {personName(plant, found.serial.scrapped.actor)}
          </li>
        )}
        {found.kind === 'lot' && (found.lot.scrapped ?? []).length > 0 && (
          <li>
            <Badge tone="fail">Scrapped</Badge> {(found.lot.scrapped ?? []).map((s) => `${s.quantity} (${s.reason})`).join(', ')}
          </li>
        )}
        {found.kind === 'lot' &&
          (found.lot.movedOut ?? []).map((out) => (
            <li key={out.eventId}>
              <Badge tone="neutral">{out.kind === 'split' ? 'Split' : out.kind === 'merged' ? 'Merged' : 'Repacked'}</Badge> {out.quantity} into {out.into.join(', ')}
            </li>
          ))}
        {holds.map((hold) => (
          <li key={hold.holdId}>
            <Badge tone="hold">On hold</Badge> {hold.reason} ({shortHoldId(hold.holdId)})
          </li>
        ))}
        {stops.map((stop) => (
          <li key={`${stop.ncr.ncrId}-${stop.item.itemId}`}>
            <Badge tone="hold">NCR</Badge> {describeStop(stop, unit, plant)}
          </li>
        ))}
        {containing !== undefined && (
          <li>
            <Badge tone="hold">NCR</Badge> {contained} held by {ncrLabel(containing)} ({containing.description}) until quality dispositions them
          </li>
        )}
      </ul>
    </section>
  );
}

/** How many of this station's latest events are read for its latest moves. */
const LATEST_EVENTS = 200;

/** This station's latest moves, newest first (from its own events in IndexedDB, so they outlive a visit or a reload). */
function useLatestMoves(): StationEvent[] {
  const { rt } = useStation();
  const [moves, setMoves] = useState<StationEvent[]>([]);
  useEffect(() => {
    const subscription = rt.db.events.find({ selector: {}, sort: [{ seq: 'desc' }], limit: LATEST_EVENTS }).$.subscribe((docs) => {
      setMoves(docs.map(asEvent).filter(isMoveEvent).slice(0, 8));
    });
    return () => subscription.unsubscribe();
  }, [rt]);
  return moves;
}

/** The latest moves recorded at this station, each with where it stands: waiting to sync, on the server, flagged or refused. */
function RecentMoves({ plant }: { plant: PlantState }) {
  const { rt } = useStation();
  const verdicts = useServerVerdicts(rt);
  const list = useLatestMoves();
  if (list.length === 0) return null;
  // Read with the plant: a move waits until the server's receipt and views with its effect arrived.
  const waiting = new Set(rt.plant.pendingEvents().map((e) => e.id));
  return (
    <section className="material-recent" aria-label="Moves recorded at this station">
      <h2>Recorded at this station</h2>
      <ul>
        {list.map((event) => {
          const verdict = verdicts.find((v) => v.event.id === event.id);
          return (
            <li key={event.id} data-testid="recorded-move">
              {verdict?.receipt.outcome === 'rejected' ? (
                <Badge tone="fail">Refused by the server</Badge>
              ) : verdict !== undefined ? (
                <Badge tone="warn">Flagged: {verdict.receipt.flags.map((f) => FLAG_NAMES[f]).join(', ')}</Badge>
              ) : waiting.has(event.id) ? (
                <Badge tone="warn">Waiting to sync</Badge>
              ) : (
                <Badge tone="pass">On the server</Badge>
              )}{' '}
              {isMoveEvent(event) ? describeMove(event) : ''} · {personName(plant, event.actor)}, {formatDateTime(event.deviceTime)}
              {verdict?.receipt.reason !== undefined && (
                <span className="material-verdict"> — {readableDescription(verdict.receipt.reason, (token) => plant.operators.get(token)?.name)}</span>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
