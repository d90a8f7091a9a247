/**
 * The conflict rules, in the order the server runs them on each event (docs/sync-spec.md). Refusals
 * come first: a refused event changes nothing.
 */
import type { Rule } from './types.ts';
import { duplicateCompletion } from './c1-duplicate-completion.ts';
import { executedUnderHold } from './c2-executed-under-hold.ts';
import { outOfTolerance } from './c3-out-of-tolerance.ts';
import { staleRevision } from './c4-stale-revision.ts';
import { overConsumption } from './c5-over-consumption.ts';
import { doubleConsumption } from './c6-double-consumption.ts';
import { releaseAuthority } from './c7-release-authority.ts';
import { releaseNamesHold } from './c8-release-names-hold.ts';
import { unqualifiedOperator } from './c9-unqualified-operator.ts';
import { missingEvents } from './c10-missing-events.ts';
import { clockSkew } from './c11-clock-skew.ts';
import { stationMismatch } from './c12-station-mismatch.ts';
import { unknownReference } from './c13-unknown-reference.ts';
import { beyondBill } from './c17-beyond-bill.ts';
import { workedUnderNcr } from './c30-worked-under-ncr.ts';
import { duplicateDisposition } from './c31-duplicate-disposition.ts';
import { dispositionAuthority } from './c32-disposition-authority.ts';
import { containmentAuthority } from './c37-containment-authority.ts';
import { containedMaterialConsumed } from './c38-contained-material-consumed.ts';
import { dispositionInQms } from './c35-disposition-in-qms.ts';
import { shippedNonconforming } from './c39-shipped-nonconforming.ts';
import { splitConflict } from './c18-split-conflict.ts';
import { scrappedMaterial } from './c19-scrapped-material.ts';
import { genealogyReference } from './c20-genealogy-reference.ts';

export const RULES: readonly Rule[] = [
  stationMismatch,
  unknownReference,
  genealogyReference,
  containmentAuthority,
  dispositionInQms,
  releaseAuthority,
  releaseNamesHold,
  missingEvents,
  clockSkew,
  duplicateCompletion,
  executedUnderHold,
  staleRevision,
  unqualifiedOperator,
  overConsumption,
  doubleConsumption,
  beyondBill,
  splitConflict,
  scrappedMaterial,
  outOfTolerance,
  workedUnderNcr,
  duplicateDisposition,
  dispositionAuthority,
  containedMaterialConsumed,
  shippedNonconforming,
];

export type { Finding, Rule, RuleContext, RuleId, StationSyncState } from './types.ts';
