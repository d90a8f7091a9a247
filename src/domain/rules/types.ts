import type { Flag } from '../../../schemas/flags.ts';
import type { HoldSubject } from '../../../schemas/common.ts';
import type { StationEvent } from '../../../schemas/event.ts';
import type { PlantDraft, PlantState } from '../plant.ts';

/** The rule ids of docs/sync-spec.md. */
export type RuleId = 'C1' | 'C2' | 'C3' | 'C4' | 'C5' | 'C6' | 'C7' | 'C8' | 'C9' | 'C10' | 'C11' | 'C12' | 'C13' | 'C17' | 'C18' | 'C19' | 'C20' | 'C30' | 'C31' | 'C32' | 'C35' | 'C37' | 'C38' | 'C39';

/** What the server knows of the station that pushed the event. */
export interface StationSyncState {
  stationId: string;
  /** The station's name as plant IT enrolled it (people read it; the id is a UUID). */
  stationName?: string;
  /** Highest sequence number received from this station so far (0 for none). */
  lastSeq: number;
}

/** Everything a rule may look at: the plant in server order so far, the event, the station, the times. */
export interface RuleContext {
  state: PlantState;
  event: StationEvent;
  station: StationSyncState;
  /** The authenticated station that sent the push. */
  pushedBy: string;
  /** When the server received the push. */
  serverTime: Date;
  /** Server time minus the station's clock at sending, in ms (positive: the station is behind). */
  skewMs: number;
  /** Where the plant's MRB decides (MRB_DECIDES; rule C35); Travelog unless given. */
  mrbDecides?: 'travelog' | 'qms';
}

/** What one rule found about one event. */
export interface Finding {
  rule: RuleId;
  description: string;
  /** Recorded, with this flag and a conflict item for a supervisor. */
  flag?: Flag;
  /** Refused into quarantine, with this reason. */
  reject?: string;
  /** Events the flagged one conflicts with. */
  related?: string[];
  /** What the conflict is about, for the supervisor's queue. */
  subject?: HoldSubject;
  workOrderId?: string;
  stepKey?: string;
  /** What the rule does to the plant beyond the event's own effect (a hold, an NCR draft). */
  effect?: (draft: PlantDraft) => void;
}

/** A rule: a plain function of the plant so far and the event. */
export type Rule = (context: RuleContext) => Finding[];
