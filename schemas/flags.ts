/**
 * Every flag the server's conflict rules put on an event (docs/sync-spec.md, C1…). A flagged event is
 * recorded and becomes a conflict item for a supervisor; nothing is merged silently.
 */
export const FLAGS = [
  'duplicate-completion',
  'executed-under-hold',
  'stale-revision',
  'over-consumption',
  'double-consumption',
  'beyond-bill',
  'split-conflict',
  'scrapped-material',
  'unqualified-operator',
  'missing-events',
  'clock-skew',
  'release-not-active',
  'worked-under-ncr',
  'duplicate-disposition',
  'unauthorized-disposition',
  'disposition-in-qms',
  'shipped-nonconforming',
  'security:id-reused',
  'security:station-mismatch',
  'security:unauthorized-release',
  'security:bad-signature',
  'security:unknown-station',
  'security:revoked-station',
  'security:broken-chain',
  'schema',
] as const;

export type Flag = (typeof FLAGS)[number];
export const flagSchema = { type: 'string', enum: FLAGS } as const;
