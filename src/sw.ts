/**
 * The station's service worker (built by vite-plugin-pwa, `injectManifest`): precaches the app
 * shell, scripts, styles, icons, wasm and fonts so that a station opened once online starts cold
 * with the network off; serves every navigation from the cached shell except `/api/*`, which always
 * goes to the network. A new version waits until the station says "update" (UpdatePrompt), so it is
 * never switched in the middle of an operation.
 */
import { clientsClaim } from 'workbox-core';
import type { PrecacheEntry } from 'workbox-precaching';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

/** What this worker uses of its global scope; the project's lib is DOM, not WebWorker. */
interface WorkerScope {
  __WB_MANIFEST: Array<PrecacheEntry | string>;
  skipWaiting(): Promise<void>;
  addEventListener(type: 'message', listener: (event: MessageEvent<unknown>) => void): void;
}
declare const self: WorkerScope;

/** The message the page sends when the operator chose to update (see src/app/use-app-update.ts). */
export const SKIP_WAITING = 'SKIP_WAITING';

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
// The first version takes the open page at once, so a station set up in this visit is served from the
// cache on its next start. Later versions wait for the page's go (SKIP_WAITING) before they activate.
clientsClaim();

// The SPA fallback serves index.html for client routes such as /work-orders/WO-1001, offline too.
// The API never: a cached page answering a push would look like success to nobody and hide an outage.
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { denylist: [/^\/api(\/|$)/] }));

self.addEventListener('message', (event) => {
  const data = event.data as { type?: unknown } | null;
  if (data !== null && typeof data === 'object' && data.type === SKIP_WAITING) void self.skipWaiting();
});
