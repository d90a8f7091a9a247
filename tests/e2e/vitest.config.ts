import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * End-to-end tests: the built PWA served by the real sync server in-process, driven in Debian's
 * Chromium. One file at a time (each starts its own server and browser); generous timeouts because
 * PIN hashing and the first PGlite start are slow on a busy machine.
 */
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['tests/e2e/**/*.e2e.ts'],
    environment: 'node',
    // The Chromium to drive: Debian's (or CHROMIUM_PATH), installed with apt when the run is root.
    globalSetup: ['tests/e2e/chromium-setup.ts'],
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // A real browser on a shared 2-core machine sometimes misses a 20 s wait by a hair. One retry,
    // reported as such in the output ("retry x1"); a test that fails twice fails the run. Retried
    // tests are worth reading: a retry has hidden a real race before (tests/e2e/offline.e2e.ts).
    retry: 1,
    // As in vite.config.ts: keeps V8's intermittent abort when PGlite's WebAssembly code is freed
    // (nodejs/node#64500) out of the worker that runs the server.
    execArgv: ['--no-memory-protection-keys', '--no-wasm-code-gc'],
  },
});
