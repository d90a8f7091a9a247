import type { Flag } from '../../../schemas/flags.ts';
import type { ResolveAction } from '../../domain/conflicts.ts';

/** Each flag in the words a supervisor reads (docs/sync-spec.md names the rules). */
export const FLAG_NAMES: Record<Flag, string> = {
  'duplicate-completion': 'Completed twice',
  'executed-under-hold': 'Worked under a hold',
  'stale-revision': 'Superseded revision',
  'over-consumption': 'Lot over-consumed',
  'double-consumption': 'Serial consumed twice',
  'beyond-bill': 'Material beyond the bill',
  'split-conflict': 'Lot split or merged while in use',
  'scrapped-material': 'Scrapped material built in',
  'unqualified-operator': 'Operator not qualified',
  'missing-events': 'Events missing from a station',
  'clock-skew': 'Station clock off',
  'release-not-active': 'Release of an inactive hold',
  'worked-under-ncr': 'Worked under an NCR',
  'duplicate-disposition': 'Dispositioned twice',
  'unauthorized-disposition': 'Disposition without authority',
  'disposition-in-qms': 'Disposition signed while MRB decides in the QMS',
  'shipped-nonconforming': 'Shipped while it should not have',
  'security:id-reused': 'Security: event id reused',
  'security:station-mismatch': 'Security: wrong station',
  'security:unauthorized-release': 'Security: signature without authority',
  'security:bad-signature': 'Security: station signature does not verify',
  'security:unknown-station': 'Security: no key enrolled for the station',
  'security:revoked-station': 'Security: station revoked',
  'security:broken-chain': "Security: station's event chain broken",
  schema: 'Malformed record',
};

/** Each decision on a conflict as its button says it. */
export const ACTION_NAMES: Record<ResolveAction, string> = {
  accept: 'Accept as recorded',
  void: 'Void',
  'open-ncr': 'Open NCR',
};
