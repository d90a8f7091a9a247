/**
 * The app shell's service worker, seen from the page: registers `/sw.js` (production builds only)
 * and tells the screen when a new version is waiting. The new version takes over only when someone
 * taps "Update", so a reload never lands in the middle of an operation.
 */
import { Workbox } from 'workbox-window';

export interface AppUpdater {
  /** A new version is installed and waiting for the operator's go. */
  available(): boolean;
  subscribe(listener: () => void): () => void;
  /**
   * Switches to the new version and reloads. Without a waiting version (the server said this app is
   * too old before the browser noticed), it asks the server for one first and reloads either way.
   */
  apply(): Promise<void>;
}

/** How often an open station asks the server for a new version. */
const UPDATE_CHECK_EVERY_MS = 60 * 60_000;

/** How long to wait for a new worker to install after asking for it, before reloading anyway. */
const INSTALL_WAIT_MS = 10_000;

/** An updater for a page without a service worker (dev server, unsupported browser): reloads. */
export function noAppUpdater(): AppUpdater {
  return {
    available: () => false,
    subscribe: () => () => undefined,
    apply: () => {
      location.reload();
      return Promise.resolve();
    },
  };
}

/** Registers the service worker and watches for new versions. */
export function registerAppShell(scriptUrl = '/sw.js'): AppUpdater {
  if (!('serviceWorker' in navigator)) return noAppUpdater();
  const wb = new Workbox(scriptUrl);
  const listeners = new Set<() => void>();
  let waiting = false;
  let applying = false;
  const notify = () => listeners.forEach((listener) => listener());

  const onWaiting = () => {
    if (waiting) return;
    waiting = true;
    notify();
    if (applying) wb.messageSkipWaiting();
  };
  wb.addEventListener('waiting', onWaiting);
  // Reload only when this page asked for the switch; another tab's update reloads that tab only.
  wb.addEventListener('controlling', () => {
    if (applying) location.reload();
  });
  // Not registering leaves the station working from the network as before; it is never fatal.
  void wb.register().then(
    (registration) => {
      if (registration === undefined) return;
      // A version that began installing before workbox-window listened reports through the registration only.
      const installing = registration.installing;
      installing?.addEventListener('statechange', () => {
        if (registration.waiting !== null && registration.active !== null) onWaiting();
      });
      // A station stays open all shift: look for a new version now and then, not only at start.
      window.setInterval(() => void wb.update().catch(() => undefined), UPDATE_CHECK_EVERY_MS);
    },
    () => undefined,
  );

  return {
    available: () => waiting,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async apply() {
      applying = true;
      if (waiting) {
        wb.messageSkipWaiting();
        return;
      }
      await wb.update().catch(() => undefined);
      window.setTimeout(() => {
        if (!waiting) location.reload();
      }, INSTALL_WAIT_MS);
    },
  };
}
