/**
 * The screens behind sign-in (and the first-run setup), each loaded when first shown, so a cold
 * start parses only what the sign-in screen needs. The service worker precaches every chunk
 * (vite.config.ts), so they load offline too; {@link preloadScreens} fetches them in the
 * background once the sign-in screen is up, so signing in never waits for one.
 */
import type { ComponentType } from 'react';
import { lazy } from 'react';

const loaders: Array<() => Promise<unknown>> = [];

/** A screen loaded on first render: `load` imports its module, `pick` names the component in it. */
function screen<Props, Module>(load: () => Promise<Module>, pick: (module: Module) => ComponentType<Props>) {
  loaders.push(load);
  return lazy(async () => ({ default: pick(await load()) }));
}

export const StationSetup = screen(() => import('../features/setup/StationSetup.tsx'), (m) => m.StationSetup);
export const Queue = screen(() => import('../features/queue/Queue.tsx'), (m) => m.Queue);
export const TravelerScreen = screen(() => import('../features/traveler/TravelerScreen.tsx'), (m) => m.TravelerScreen);
export const StepScreen = screen(() => import('../features/traveler/StepScreen.tsx'), (m) => m.StepScreen);
export const HoldBoard = screen(() => import('../features/holds/HoldBoard.tsx'), (m) => m.HoldBoard);
export const ConflictQueue = screen(() => import('../features/conflicts/ConflictQueue.tsx'), (m) => m.ConflictQueue);
export const QuarantineList = screen(() => import('../features/quarantine/QuarantineList.tsx'), (m) => m.QuarantineList);
export const AuditTrail = screen(() => import('../features/audit/AuditTrail.tsx'), (m) => m.AuditTrail);
export const EvidenceScreen = screen(() => import('../features/evidence/EvidenceScreen.tsx'), (m) => m.EvidenceScreen);
export const GenealogyScreen = screen(() => import('../features/genealogy/GenealogyScreen.tsx'), (m) => m.GenealogyScreen);
export const MaterialScreen = screen(() => import('../features/material/MaterialScreen.tsx'), (m) => m.MaterialScreen);
export const ShippingScreen = screen(() => import('../features/shipping/ShippingScreen.tsx'), (m) => m.ShippingScreen);
export const NcrScreen = screen(() => import('../features/ncr/NcrScreen.tsx'), (m) => m.NcrScreen);
export const StationsScreen = screen(() => import('../features/stations/StationsScreen.tsx'), (m) => m.StationsScreen);
export const SyncScreen = screen(() => import('../features/sync/SyncScreen.tsx'), (m) => m.SyncScreen);
/** Labels pull in the barcode renderer (bwip-js). */
export const LabelsScreen = screen(() => import('../features/labels/LabelsScreen.tsx'), (m) => m.LabelsScreen);

/**
 * Fetches every screen's chunk without showing it (each import runs once; the browser keeps the
 * module). Errors are left to the screen's own load, which shows them where they matter.
 */
export function preloadScreens(): void {
  for (const load of loaders) load().catch(() => undefined);
}
