/**
 * The audit trail of a serial, lot, work order or part (typed in any case): every entry of the server's signed log about it, in order, with who,
 * where, when, the outcome and any signature's manifestation, and a verified mark computed here in
 * the browser (src/audit/trail-verify.ts) against the server keys this station pinned at enrollment
 * (./load-trail.ts): the server's word is not taken for any of it. Entries about programs this
 * station is not cleared for are withheld by the server, and the screen says how many.
 *
 * Every signed-in role may read it: the trail is the unit's record, which an operator already sees
 * piecemeal on the traveler, and reading it changes nothing. The header links it for supervisors and
 * quality, who answer the auditor's questions; others reach it at /audit.
 */
import { useCallback, useRef, useState } from 'react';
import type { Flag } from '../../../schemas/flags.ts';
import { formatSignedAt } from '../../app/format.ts';
import { usePlant, useStation } from '../../app/station-context.ts';
import type { EntryVerdict, TrailVerdict } from '../../audit/trail-verify.ts';
import type { TrustAnchor } from '../../audit/trust-anchor.ts';
import { ApiFailure } from '../../sync/transport.ts';
import { FLAG_NAMES } from '../conflicts/names.ts';
import { SignatureManifestation } from '../holds/SignatureManifestation.tsx';
import { personName } from '../traveler/names.ts';
import { useWedgeScan } from '../scan/use-wedge-scan.ts';
import type { PlantState } from '../../domain/plant.ts';
import { shortEventId } from '../../domain/short-id.ts';
import { describeSubjectKey } from '../../audit/subjects.ts';
import { entrySummary, entryTitle } from './describe-entry.ts';
import { loadTrail } from './load-trail.ts';
import './audit.css';

const OUTCOME_NAMES: Record<string, string> = { accepted: 'Accepted', flagged: 'Accepted with flags', rejected: 'Rejected' };

type State =
  | { kind: 'idle' }
  | { kind: 'loading'; serial: string }
  | { kind: 'offline'; serial: string }
  | { kind: 'failed'; serial: string; message: string }
  | { kind: 'shown'; serial: string; verdict: TrailVerdict; stationNames: Map<string, string>; withheld: number; anchor: TrustAnchor; subjects: string[]; part?: string };

export function AuditTrail() {
  const { rt, config } = useStation();
  const plant = usePlant(rt);
  const [serial, setSerial] = useState('');
  const [state, setState] = useState<State>({ kind: 'idle' });
  const request = useRef(0);

  const lookUp = useCallback(
    async (wanted: string) => {
      const trimmed = wanted.trim();
      if (trimmed === '') return;
      const mine = ++request.current;
      const settle = (next: State) => {
        if (request.current === mine) setState(next);
      };
      if (!navigator.onLine) {
        settle({ kind: 'offline', serial: trimmed });
        return;
      }
      settle({ kind: 'loading', serial: trimmed });
      try {
        const loaded = await loadTrail({ db: rt.db, transport: rt.transport, credential: config.credential, now: () => rt.now() }, trimmed);
        settle({ kind: 'shown', serial: trimmed, ...loaded });
      } catch (error) {
        if (error instanceof ApiFailure && error.status === 0) settle({ kind: 'offline', serial: trimmed });
        else settle({ kind: 'failed', serial: trimmed, message: error instanceof Error ? error.message : String(error) });
      }
    },
    [rt, config.credential],
  );

  useWedgeScan((text) => {
    setSerial(text);
    void lookUp(text);
  });

  return (
    <main className="screen">
      <h1>Audit trail</h1>
      <form
        className="audit-lookup"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          void lookUp(serial);
        }}
      >
        <label className="field audit-query">
          <span>Serial, lot, work order or part</span>
          <input
            type="search"
            value={serial}
            onChange={(event) => setSerial(event.target.value)}
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            placeholder="Type or scan, e.g. SN-1001-03, L-920-A, WO-1001, P-100"
          />
        </label>
        <button type="submit" className="button primary" disabled={serial.trim() === '' || state.kind === 'loading'}>
          Show trail
        </button>
      </form>
      {state.kind === 'loading' && <p role="status">Fetching and verifying the trail of {state.serial}…</p>}
      {state.kind === 'offline' && (
        <p role="alert" className="notice">
          The audit trail of {state.serial} needs the network: it is read from the server and verified here. Try again when the station is online.
        </p>
      )}
      {state.kind === 'failed' && (
        <p role="alert" className="notice">
          The trail of {state.serial} could not be fetched: {state.message}
        </p>
      )}
      {state.kind === 'shown' && (
        <Trail
          serial={state.serial}
          verdict={state.verdict}
          stationNames={state.stationNames}
          withheld={state.withheld}
          anchor={state.anchor}
          subjects={state.subjects}
          {...(state.part === undefined ? {} : { part: state.part })}
          plant={plant}
          name={(badge) => personName(plant, badge)}
        />
      )}
    </main>
  );
}

function Trail(props: {
  serial: string;
  verdict: TrailVerdict;
  stationNames: Map<string, string>;
  withheld: number;
  anchor: TrustAnchor;
  subjects: string[];
  part?: string;
  plant: PlantState;
  name: (badge: string) => string;
}) {
  const { serial, verdict, stationNames, withheld, anchor, subjects, part, plant, name } = props;
  const awaiting = verdict.entries.filter((entry) => entry.awaitingCheckpoint && entry.failures.length === 0).length;
  const { checkpoint } = verdict;
  const pinned = anchor.pinnedBy === 'enrollment' ? 'pinned at enrollment' : `pinned at first use on ${formatSignedAt(anchor.pinnedAt)}, not at enrollment`;
  return (
    <section aria-label={`Trail of ${serial}`}>
      <p role="status" data-testid="audit-checkpoint">
        {checkpoint.verified
          ? `Checkpoint of ${checkpoint.size} entries, signed by server key ${checkpoint.keyId ?? ''}: signature verified against the key this station trusts (${pinned}).`
          : `Checkpoint not verified: ${checkpoint.reason ?? 'unknown reason'}.`}
        {awaiting > 0 && ` ${awaiting === 1 ? 'The newest entry is' : `The ${awaiting} newest entries are`} newer than this checkpoint and proven at the next one.`}
      </p>
      {subjects.length > 0 && (
        <p data-testid="audit-subjects">
          {part === undefined ? 'Trail of ' : `Trail of part ${part}: `}
          {subjects.map(describeSubjectKey).join(', ')}
        </p>
      )}
      {withheld > 0 && (
        <p className="notice" data-testid="audit-withheld">
          {withheld === 1 ? '1 entry' : `${withheld} entries`} of this trail concern a program this station is not cleared for and are not shown.
        </p>
      )}
      {verdict.entries.length === 0 ? (
        <p className="notice">The audit log has no entries about {serial}{subjects.length === 0 ? '' : ` (${subjects.map(describeSubjectKey).join(', ')})`}.</p>
      ) : (
        <ol className="audit-entries" aria-label="Audit entries">
          {verdict.entries.map((entry) => (
            <EntryCard key={entry.index} verdict={entry} stationNames={stationNames} plant={plant} name={name} />
          ))}
        </ol>
      )}
    </section>
  );
}

function EntryCard({ verdict, stationNames, plant, name }: { verdict: EntryVerdict; stationNames: Map<string, string>; plant: PlantState; name: (badge: string) => string }) {
  const entry = verdict.entry;
  const title = entry === null ? `Entry ${verdict.index}` : entryTitle(entry);
  const summary = entry === null ? null : entrySummary(entry, plant);
  const awaiting = verdict.awaitingCheckpoint && verdict.failures.length === 0;
  const headingId = `audit-entry-${verdict.index}`;
  const flags: Flag[] = entry?.flags ?? [];
  return (
    <li className="card audit-entry" aria-labelledby={headingId}>
      <h2 id={headingId}>
        {title} <span className="muted small">entry {verdict.index}</span>
      </h2>
      {summary !== null && <p className="audit-what">{summary}</p>}
      <p>
        {verdict.verified ? (
          <span className="audit-mark verified">✓ Verified</span>
        ) : awaiting ? (
          <span className="audit-mark awaiting" title="Newer than the latest signed checkpoint: its place in the log is proven at the next one">
            ⧗ Awaiting checkpoint
          </span>
        ) : (
          <span className="audit-mark not-verified">✗ Not verified: {verdict.failures.join('; ')}</span>
        )}
      </p>
      {!awaiting && verdict.notes.length > 0 && <p className="small">Not checked: {verdict.notes.join('; ')}</p>}
      {entry !== null && (
        <dl className="facts">
          <div>
            <dt>Who</dt>
            <dd>{entry.actor === undefined ? '—' : entry.actor === 'system' ? 'System' : `${name(entry.actor)} (${entry.actor})`}</dd>
          </div>
          <div>
            <dt>Role</dt>
            <dd>{entry.role ?? '—'}</dd>
          </div>
          <div>
            <dt>Station</dt>
            <dd>{entry.stationId === undefined ? '—' : (stationNames.get(entry.stationId) ?? entry.stationId)}</dd>
          </div>
          <div>
            <dt>Device time</dt>
            <dd>{entry.deviceTime === undefined ? '—' : formatSignedAt(entry.deviceTime)}</dd>
          </div>
          <div>
            <dt>Server time</dt>
            <dd>{formatSignedAt(entry.recordedAt)}</dd>
          </div>
          <div>
            <dt>Outcome</dt>
            <dd>{entry.outcome === undefined ? '—' : (OUTCOME_NAMES[entry.outcome] ?? entry.outcome)}</dd>
          </div>
          <div>
            <dt>Flags</dt>
            <dd>{flags.length === 0 ? 'None' : flags.map((flag) => FLAG_NAMES[flag] ?? flag).join(', ')}</dd>
          </div>
          {entry.eventId !== undefined && (
            <div>
              <dt>Event</dt>
              <dd title={entry.eventId}>{shortEventId(entry.eventId)}</dd>
            </div>
          )}
          {entry.reason !== undefined && (
            <div>
              <dt>Server's reason</dt>
              <dd>{entry.reason}</dd>
            </div>
          )}
        </dl>
      )}
      {entry?.signature !== undefined && (
        <section aria-label="Signature manifestation">
          <SignatureManifestation
            manifestation={{
              printedName: entry.signature.printedName,
              signedAt: entry.signature.signedAt,
              meaning: entry.signature.meaning,
              ...(entry.signature.reason === undefined ? {} : { reason: entry.signature.reason }),
            }}
          />
        </section>
      )}
      <details>
        <summary>Checks</summary>
        <ul className="audit-checks">
          {verdict.passed.map((check) => (
            <li key={`pass-${check}`}>✓ {check}</li>
          ))}
          {verdict.failures.map((failure) => (
            <li key={`fail-${failure}`}>✗ {failure}</li>
          ))}
          {verdict.notes.map((note) => (
            <li key={`note-${note}`}>– {note}</li>
          ))}
        </ul>
      </details>
    </li>
  );
}
