/**
 * What the page around the station provides: the service worker's updates and the storage monitor.
 * Made once in main.tsx, before the station opens.
 */
import { createContext, useCallback, useContext, useSyncExternalStore } from 'react';
import type { AppUpdater } from './app-update.ts';
import { noAppUpdater } from './app-update.ts';
import type { StorageMonitor, StorageState } from './storage.ts';
import { UNKNOWN_STORAGE } from './storage.ts';

export interface ShellContextValue {
  updater: AppUpdater;
  storage: StorageMonitor | null;
}

export const ShellContext = createContext<ShellContextValue>({ updater: noAppUpdater(), storage: null });

export function useAppUpdater(): AppUpdater {
  return useContext(ShellContext).updater;
}

/** A new version is waiting for the operator's go. */
export function useUpdateAvailable(): boolean {
  const { updater } = useContext(ShellContext);
  const subscribe = useCallback((listener: () => void) => updater.subscribe(listener), [updater]);
  return useSyncExternalStore(subscribe, () => updater.available());
}

/** Whether storage is persistent and how full it is. */
export function useStorageState(): StorageState {
  const { storage } = useContext(ShellContext);
  const subscribe = useCallback((listener: () => void) => storage?.subscribe(listener) ?? (() => undefined), [storage]);
  return useSyncExternalStore(subscribe, () => storage?.get() ?? UNKNOWN_STORAGE);
}
