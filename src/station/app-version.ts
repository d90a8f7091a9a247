/** Replaced at build by vite.config.ts (`define`) with package.json's `version`. */
declare const __TRAVELOG_VERSION__: string | undefined;

/**
 * The release of the app this station runs, as it reports it to the server (docs/sync-spec.md S24)
 * and the Stations screen shows it. `dev` where the code runs unbuilt (a test without Vite's define).
 */
export const APP_VERSION: string = typeof __TRAVELOG_VERSION__ === 'string' ? __TRAVELOG_VERSION__ : 'dev';
