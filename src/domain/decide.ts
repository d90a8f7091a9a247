/**
 * The server's decision on each event a station pushed: a plain function of the plant so far (in
 * server order) and the event. The sync server calls it inside the batch's transaction; routes only
 * parse, authenticate and answer.
 */
import type { Flag } from '../../schemas/flags.ts';
import type { StationEvent } from '../../schemas/event.ts';
import type { Conflict } from '../../schemas/conflict.ts';
import type { PlantDraft, PlantState, ViewRef } from './plant.ts';
import type { Finding, RuleContext, StationSyncState } from './rules/index.ts';
import { applyEventToDraft, changePlant } from './plant.ts';
import { RULES } from './rules/index.ts';

export interface Decision {
  outcome: 'accepted' | 'flagged' | 'rejected';
  flags: Flag[];
  /** Why it was refused, or what the flags mean, in words a supervisor reads. */
  reason?: string;
  /** Every rule that found something, flag or not (the simulation checks each fires somewhere). */
  findings: Finding[];
}

/** Flags about the station rather than the event: one open conflict item per station collects them. */
const STATION_FLAGS: ReadonlySet<Flag> = new Set<Flag>(['missing-events', 'clock-skew']);

/** Most event ids a station-level conflict item lists; the count goes on in its description. */
const MAX_RELATED = 200;

function raiseConflict(draft: PlantDraft, event: StationEvent, finding: Finding & { flag: Flag }, raisedAt: string): void {
  const stationLevel = STATION_FLAGS.has(finding.flag);
  const conflictId = stationLevel ? `CF-${event.stationId}-${finding.flag}` : `CF-${event.id}-${finding.flag}`;
  const existing = draft.conflicts.get(conflictId);
  if (existing !== undefined && existing.status === 'open') {
    if (existing.relatedEventIds.length < MAX_RELATED) {
      draft.conflicts.set(conflictId, { ...existing, relatedEventIds: [...existing.relatedEventIds, event.id], description: finding.description });
    }
    return;
  }
  const conflict: Conflict = {
    // A station-level item already resolved: a new one, keyed by this event (ids stay ≤ 80 characters).
    conflictId: existing === undefined ? conflictId : `CF-${event.id}-${finding.flag}`,
    flag: finding.flag,
    eventId: event.id,
    stationId: event.stationId,
    actor: event.actor,
    eventType: event.type,
    relatedEventIds: finding.related ?? [],
    ...(finding.subject === undefined ? {} : { subject: finding.subject }),
    ...(finding.workOrderId === undefined ? {} : { workOrderId: finding.workOrderId }),
    ...(finding.stepKey === undefined ? {} : { stepKey: finding.stepKey }),
    description: finding.description,
    raisedAt,
    status: 'open',
  };
  draft.conflicts.set(conflict.conflictId, conflict);
}

/**
 * Decides one event on a draft of the plant: runs every rule against the draft as it stands, refuses
 * the event if any rule refuses (the draft is not touched), otherwise applies it with the rules'
 * effects and raises a conflict item per flag.
 */
function decideOnDraft(draft: PlantDraft, context: Omit<RuleContext, 'state'>): Decision {
  const findings = RULES.flatMap((rule) => rule({ ...context, state: draft }));
  const refusal = findings.find((f) => f.reject !== undefined);
  if (refusal !== undefined) {
    const flags = findings.filter((f) => f.reject !== undefined && f.flag !== undefined).map((f) => f.flag as Flag);
    return { outcome: 'rejected', flags, reason: refusal.reject ?? refusal.description, findings };
  }
  const flagged = findings.filter((f): f is Finding & { flag: Flag } => f.flag !== undefined);
  const raisedAt = context.serverTime.toISOString();
  applyEventToDraft(draft, context.event);
  for (const finding of findings) finding.effect?.(draft);
  for (const finding of flagged) raiseConflict(draft, context.event, finding, raisedAt);
  return {
    outcome: flagged.length > 0 ? 'flagged' : 'accepted',
    flags: [...new Set(flagged.map((f) => f.flag))],
    ...(flagged.length > 0 ? { reason: flagged.map((f) => f.description).join('; ') } : {}),
    findings,
  };
}

/** Decides one event against the plant in server order so far. */
export function decide(context: RuleContext): { decision: Decision; state: PlantState; changed: ViewRef[] } {
  let decision: Decision | undefined;
  const { state, changed } = changePlant(context.state, (draft) => {
    decision = decideOnDraft(draft, context);
  });
  if (decision === undefined) throw new Error('decide: no decision');
  return { decision, state: decision.outcome === 'rejected' ? context.state : state, changed };
}

export interface BatchResult {
  state: PlantState;
  station: StationSyncState;
  decisions: Array<{ event: StationEvent; decision: Decision }>;
  /** Every view the batch changed, once each. */
  changed: ViewRef[];
}

/**
 * Decides a station's batch in order, carrying the plant and the station's sequence forward. The
 * whole batch works on one draft, so each map the batch touches is copied once, not once per event.
 */
export function decideBatch(
  state: PlantState,
  station: StationSyncState,
  events: readonly StationEvent[],
  context: { pushedBy: string; serverTime: Date; skewMs: number; mrbDecides?: 'travelog' | 'qms' },
): BatchResult {
  let sync = station;
  const decisions: BatchResult['decisions'] = [];
  const result = changePlant(state, (draft) => {
    for (const event of events) {
      const decision = decideOnDraft(draft, { event, station: sync, ...context });
      if (decision.outcome !== 'rejected' || event.stationId === sync.stationId) {
        sync = { ...sync, lastSeq: Math.max(sync.lastSeq, event.seq) };
      }
      decisions.push({ event, decision });
    }
  });
  return { state: result.state, station: sync, decisions, changed: result.changed };
}
