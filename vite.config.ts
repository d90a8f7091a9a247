import react from '@vitejs/plugin-react';
import { readFileSync } from 'node:fs';
import { VitePWA } from 'vite-plugin-pwa';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import { VALIDATORS_MODULE, validatorModuleCode } from './src/db/validator-code.ts';

/** The sync server `npm run dev` starts beside Vite; the dev server proxies /api to it. */
const DEV_API = process.env['TRAVELOG_DEV_API'] ?? 'http://127.0.0.1:8787';

/** The main bundle is over Workbox's 2 MiB default once source maps are left out; a station needs all of it offline. */
const PRECACHE_LIMIT_BYTES = 16 * 1024 * 1024;

/** The release the app reports with every sync (src/station/app-version.ts). */
const APP_VERSION = (JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The station's schema validators, written out as code at build time (src/db/validator-code.ts). */
function precompiledValidators(): Plugin {
  const resolved = `\0${VALIDATORS_MODULE}`;
  return {
    name: 'travelog-validators',
    resolveId: (id) => (id === VALIDATORS_MODULE ? resolved : null),
    load: (id) => (id === resolved ? validatorModuleCode() : null),
  };
}

export default defineConfig({
  define: { __TRAVELOG_VERSION__: JSON.stringify(APP_VERSION) },
  plugins: [
    react(),
    precompiledValidators(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      // The page registers the worker itself (src/app/use-app-update.ts) to offer the update on its own terms.
      injectRegister: false,
      registerType: 'prompt',
      // public/manifest.webmanifest is the manifest; index.html links it.
      manifest: false,
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,svg,png,ico,webmanifest,wasm,woff,woff2}'],
        maximumFileSizeToCacheInBytes: PRECACHE_LIMIT_BYTES,
      },
      // A service worker in dev would serve stale modules over hot reload.
      devOptions: { enabled: false },
    }),
  ],
  server: { proxy: { '/api': DEV_API } },
  build: { outDir: 'dist', sourcemap: true },
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/simulation/**/*.test.ts', 'src/**/*.test.ts', 'schemas/**/*.test.ts'],
    environment: 'node',
    // The PostgreSQL suites' database: TEST_DATABASE_URL, or a PostgreSQL of the run's own.
    globalSetup: ['tests/helpers/postgres-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // V8 in Node 24 aborts now and then ("Check failed: jit_page_->allocations_.erase(addr) == 1")
    // when PGlite's WebAssembly code is freed on a CPU with memory protection keys (nodejs/node#64500);
    // it killed a test worker in one CI run of four. Without PKU code protection and wasm code GC in
    // the test workers that path is not taken.
    execArgv: ['--no-memory-protection-keys', '--no-wasm-code-gc'],
  },
});
