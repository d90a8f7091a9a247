/**
 * What every screen reads: the station runtime, the plant as this station sees it, the station's
 * configuration and the person signed in. Provided once by {@link App}.
 */
import { createContext, useCallback, useContext, useSyncExternalStore } from 'react';
import type { StationConfig } from '../db/settings.ts';
import type { PlantState } from '../domain/plant.ts';
import type { StationRuntime } from '../station/runtime.ts';
import type { Session } from '../station/session.ts';

export interface StationContextValue {
  rt: StationRuntime;
  config: StationConfig;
  /** Saves a new configuration (work center) to IndexedDB and the runtime. */
  updateConfig: (config: StationConfig) => Promise<void>;
}

export const StationContext = createContext<StationContextValue | null>(null);

export function useStation(): StationContextValue {
  const value = useContext(StationContext);
  if (value === null) throw new Error('useStation is used outside the station provider');
  return value;
}

export interface SessionContextValue {
  session: Session;
  signOut: (cause: 'manual' | 'idle') => Promise<void>;
}

export const SessionContext = createContext<SessionContextValue | null>(null);

/** The person signed in; screens under the signed-in shell only. */
export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (value === null) throw new Error('useSession is used outside a signed-in screen');
  return value;
}

/** The plant: server views with this station's events applied; re-renders when either changes. */
export function usePlant(rt: StationRuntime): PlantState {
  const subscribe = useCallback((listener: () => void) => rt.plant.subscribe(listener), [rt]);
  const get = useCallback(() => rt.plant.get(), [rt]);
  return useSyncExternalStore(subscribe, get);
}
