/**
 * The plant's enrolled stations, for a supervisor or quality engineer, with the programs each is
 * cleared for and, on each active one, buttons to change its programs and to revoke it
 * (docs/sync-spec.md S19, S22). Each is an electronic signature (badge and PIN again, the stated
 * meaning, a typed reason) checked by the server, which records it in the audit log; a revoked
 * station's later pushes are refused into quarantine, a station's new programs apply from its next
 * pull. Only the programs this station is cleared for are shown or offered: the server withholds the
 * names of the others and counts them. It needs the network: the server keeps the list, and only it
 * can change it. This station's own row has no buttons: it would lock itself out mid-task; change it
 * from another station.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ProgramsRequest, ProgramsResponse, RevokeRequest, RevokeResponse, StationListResponse, StationSummary } from '../../../schemas/stations.ts';
import { PROGRAMS_MEANING, REVOKE_MEANING } from '../../../schemas/stations.ts';
import { PROTOCOL_VERSION } from '../../../schemas/protocol-version.ts';
import { formatDateTime } from '../../app/format.ts';
import { usePlant, useSession, useStation } from '../../app/station-context.ts';
import type { Manifestation } from '../../station/actions.ts';
import { ApiFailure } from '../../sync/transport.ts';
import { SignatureManifestation } from '../holds/SignatureManifestation.tsx';
import { SignatureDialog, type SignOutcome } from '../signature/SignatureDialog.tsx';
import { personName } from '../traveler/names.ts';
import { keepStationNames } from './station-names.ts';
import './stations.css';
import { shortStationId } from '../../domain/short-id.ts';
import { LastSeenCell, PendingCell, StorageCell, VersionCell, WorkCenterCell } from './FleetCells.tsx';

/** How often the "ago" times are counted again, and the list fetched again, while the screen is open. */
const REFRESH_EVERY_MS = 30_000;

/** Roles that may revoke a station (the server checks the signer's role again). */
const REVOKING_ROLES: readonly string[] = ['supervisor', 'quality'];

type ListState = { kind: 'loading' } | { kind: 'offline' } | { kind: 'failed'; message: string } | { kind: 'shown'; list: StationListResponse };

/** What was last signed here, shown with its manifestation. */
type Recorded = { action: 'revoked' | 'programs'; name: string; programs: string[]; manifestation: Manifestation };

/** The programs of a station as this station may see them. */
function programsText(station: StationSummary): string {
  const named = station.programs.length === 0 ? 'None' : station.programs.join(', ');
  if (station.otherPrograms === 0) return named;
  const others = `${station.otherPrograms} other${station.otherPrograms === 1 ? '' : 's'} not shown`;
  return station.programs.length === 0 ? others : `${named}, and ${others}`;
}

export function StationsScreen() {
  const { rt, config } = useStation();
  const { session } = useSession();
  const plant = usePlant(rt);
  const [state, setState] = useState<ListState>({ kind: 'loading' });
  const [revoking, setRevoking] = useState<StationSummary | null>(null);
  const [recorded, setRecorded] = useState<Recorded | null>(null);
  const [editing, setEditing] = useState<{ station: StationSummary; chosen: string[] } | null>(null);
  const request = useRef(0);

  const refresh = useCallback(async () => {
    const mine = ++request.current;
    const settle = (next: ListState) => {
      if (request.current === mine) setState(next);
    };
    try {
      const list = await rt.transport.get<StationListResponse>('/api/stations', config.credential);
      settle({ kind: 'shown', list });
      // The conflict and quarantine screens name stations from what is kept, offline too.
      void keepStationNames(rt.db, list);
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 0) settle({ kind: 'offline' });
      else settle({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  }, [rt, config.credential]);

  useEffect(() => {
    void refresh();
    // Last seen and pending change while a supervisor watches: fetched again now and then.
    const timer = window.setInterval(() => void refresh(), REFRESH_EVERY_MS);
    return () => window.clearInterval(timer);
  }, [refresh]);

  const now = rt.now();

  if (!REVOKING_ROLES.includes(session.role)) {
    return (
      <main className="screen">
        <h1>Stations</h1>
        <p className="notice">Only a supervisor or quality engineer may manage stations.</p>
      </main>
    );
  }

  /** Posts a signed action on a station: the manifestation the server recorded, or why nothing changed. */
  const postSigned = async (path: string, body: RevokeRequest | ProgramsRequest, unreachable: string, refused: string): Promise<SignOutcome> => {
    try {
      const answer = await rt.transport.post<RevokeResponse | ProgramsResponse>(path, body, config.credential);
      const { printedName, signedAt, meaning, reason } = answer.signature;
      return { ok: true, manifestation: { printedName, signedAt, meaning, reason } };
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 0) return { ok: false, message: unreachable };
      if (error instanceof ApiFailure) return { ok: false, message: `${refused}: ${error.message}` };
      throw error;
    }
  };

  const sign = async ({ badge, pin, reason }: { badge: string; pin: string; reason: string }): Promise<SignOutcome> => {
    if (revoking === null) return { ok: false, message: 'No station chosen' };
    const body: RevokeRequest = { protocolVersion: PROTOCOL_VERSION, signerBadge: badge, pin, meaning: REVOKE_MEANING, reason: reason.trim() };
    return postSigned(`/api/stations/${encodeURIComponent(revoking.id)}/revoke`, body, 'The server could not be reached: revoking a station needs the network. Nothing was revoked.', 'Not revoked');
  };

  const signPrograms = async ({ badge, pin, reason }: { badge: string; pin: string; reason: string }): Promise<SignOutcome> => {
    if (editing === null) return { ok: false, message: 'No station chosen' };
    const body: ProgramsRequest = { protocolVersion: PROTOCOL_VERSION, signerBadge: badge, pin, meaning: PROGRAMS_MEANING, reason: reason.trim(), programs: editing.chosen };
    return postSigned(
      `/api/stations/${encodeURIComponent(editing.station.id)}/programs`,
      body,
      "The server could not be reached: changing a station's programs needs the network. Nothing was changed.",
      'Not changed',
    );
  };

  const toggle = (program: string, on: boolean) =>
    setEditing((current) => (current === null ? null : { ...current, chosen: on ? [...current.chosen, program].sort() : current.chosen.filter((p) => p !== program) }));

  return (
    <main className="screen">
      <h1>Stations</h1>
      {recorded?.action === 'revoked' && (
        <section className="panel" aria-label="Revocation recorded">
          <p role="status">
            Station <strong>{recorded.name}</strong> is revoked: the server refuses its credential and keeps anything it pushes in quarantine.
          </p>
          <SignatureManifestation manifestation={recorded.manifestation} />
        </section>
      )}
      {recorded?.action === 'programs' && (
        <section className="panel" aria-label="Programs change recorded">
          <p role="status">
            Station <strong>{recorded.name}</strong> is now cleared for {recorded.programs.length === 0 ? 'none of your programs' : recorded.programs.join(', ')}. It receives the
            change at its next sync, and drops what it holds of a program taken away.
          </p>
          <SignatureManifestation manifestation={recorded.manifestation} />
        </section>
      )}
      {state.kind === 'loading' && <p role="status">Fetching the stations…</p>}
      {state.kind === 'offline' && (
        <p role="alert" className="notice">
          The list of stations needs the network: the server keeps it. Try again when the station is online.{' '}
          <button type="button" className="button" onClick={() => void refresh()}>
            Try again
          </button>
        </p>
      )}
      {state.kind === 'failed' && (
        <p role="alert" className="notice">
          The stations could not be fetched: {state.message}
        </p>
      )}
      {state.kind === 'shown' && (
        <div className="table-scroll fleet-table">
          <table className="table" aria-label="Enrolled stations">
            <thead>
              <tr>
                <th scope="col">Station</th>
                <th scope="col">Last seen</th>
                <th scope="col">Work center</th>
                <th scope="col">Version</th>
                <th scope="col">Pending</th>
                <th scope="col">Storage</th>
                <th scope="col">Programs</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {state.list.stations.map((station) => (
                <tr key={station.id} aria-label={station.name}>
                  <th scope="row">
                    {station.name}
                    {station.id === state.list.self && <span className="muted"> (this station)</span>}
                    <div className="small muted" title={station.id}>
                      {shortStationId(station.id)} · enrolled {formatDateTime(station.enrolledAt)} by {personName(plant, station.enrolledBy)}
                    </div>
                    {station.revokedAt !== null && <div>Revoked {formatDateTime(station.revokedAt)}</div>}
                  </th>
                  <LastSeenCell fleet={station.fleet} now={now} silentAfterSeconds={state.list.silentAfterSeconds} />
                  <WorkCenterCell fleet={station.fleet} plant={plant} />
                  <VersionCell fleet={station.fleet} />
                  <PendingCell fleet={station.fleet} now={now} />
                  <StorageCell fleet={station.fleet} />
                  <td data-label="Programs">{programsText(station)}</td>
                  <td>
                    {station.revokedAt === null && station.id !== state.list.self && (
                      <>
                        <button
                          type="button"
                          className="button"
                          onClick={() => setEditing({ station, chosen: [...station.programs] })}
                          aria-label={`Change programs of ${station.name}`}
                        >
                          Programs
                        </button>{' '}
                        <button type="button" className="button" onClick={() => setRevoking(station)} aria-label={`Revoke ${station.name}`}>
                          Revoke
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {revoking !== null && (
        <SignatureDialog
          title={`Revoke station ${revoking.name}`}
          subject={
            <p>
              <strong>{revoking.name}</strong>, enrolled {formatDateTime(revoking.enrolledAt)}. Once revoked it can no longer sync; anything it pushes is kept in quarantine. Enrolling it again
              makes it a new station.
            </p>
          }
          meaning={REVOKE_MEANING}
          reasonLabel="Reason for revocation"
          reasonRequired="Type why the station is revoked; it is part of the signed record"
          submitLabel="Sign and revoke"
          onSign={sign}
          onSigned={(manifestation) => {
            setRecorded({ action: 'revoked', name: revoking.name, programs: [], manifestation });
            setRevoking(null);
            void refresh();
          }}
          onCancel={() => setRevoking(null)}
        />
      )}
      {editing !== null && state.kind === 'shown' && (
        <SignatureDialog
          title={`Programs of station ${editing.station.name}`}
          subject={
            <fieldset className="form">
              <legend>Cleared for</legend>
              {state.list.clearable.map((program) => (
                <label key={program} className="checkbox">
                  <input type="checkbox" checked={editing.chosen.includes(program)} onChange={(event) => toggle(program, event.target.checked)} /> {program}
                </label>
              ))}
              <p className="small muted">
                A station sees and records only the work of the programs it is cleared for. It takes the change at its next sync and drops what it holds of a program taken away.
                {editing.station.otherPrograms > 0 && ` Its ${editing.station.otherPrograms} other program${editing.station.otherPrograms === 1 ? '' : 's'}, which this station is not cleared for, stay as they are.`}
              </p>
            </fieldset>
          }
          meaning={PROGRAMS_MEANING}
          reasonLabel="Reason for the change"
          reasonRequired="Type why the station's programs change; it is part of the signed record"
          submitLabel="Sign and change programs"
          onSign={signPrograms}
          onSigned={(manifestation) => {
            setRecorded({ action: 'programs', name: editing.station.name, programs: editing.chosen, manifestation });
            setEditing(null);
            void refresh();
          }}
          onCancel={() => setEditing(null)}
        />
      )}
    </main>
  );
}
