/** Vitest globalSetup of the end-to-end suite: finds (or installs) the Chromium it drives (tests/e2e/chromium.ts). */
import type { TestProject } from 'vitest/node';
import { ensureChromium } from './chromium.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Chromium executable the end-to-end tests launch. */
    chromiumPath: string;
  }
}

export default function setup(project: TestProject): void {
  project.provide('chromiumPath', ensureChromium());
}
