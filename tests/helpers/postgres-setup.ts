/**
 * Vitest globalSetup: gives the PostgreSQL suites a database. TEST_DATABASE_URL when set; else,
 * when the selected test files include a PostgreSQL suite, a PostgreSQL of the run's own
 * (tests/helpers/embedded-postgres.ts), stopped after the run. Tests read the URL with
 * `testDatabaseUrl()` (tests/helpers/test-database.ts). A PostgreSQL that cannot start fails the run.
 */
import { readFile } from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { needsPostgres } from './test-database.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The PostgreSQL the suites use (`postgres://…/test`); '' when the run has none. */
    testDatabaseUrl: string;
  }
}

/** The CLI's file filters (`vitest run tests/unit`); not in Vitest's typings, so read with care. */
function filtersOf(project: TestProject): string[] {
  const pattern: unknown = (project.vitest as unknown as { filenamePattern?: unknown }).filenamePattern;
  return Array.isArray(pattern) ? pattern.filter((filter): filter is string => typeof filter === 'string') : [];
}

async function selectsPostgresSuite(project: TestProject): Promise<boolean> {
  const { testFiles } = await project.globTestFiles(filtersOf(project));
  for (const file of testFiles) {
    if (needsPostgres(await readFile(file, 'utf8'))) return true;
  }
  return false;
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const given = process.env['TEST_DATABASE_URL'];
  if (given !== undefined && given !== '') {
    project.provide('testDatabaseUrl', given);
    return undefined;
  }
  if (!(await selectsPostgresSuite(project))) {
    project.provide('testDatabaseUrl', '');
    return undefined;
  }
  // Should the start leave Node with nothing to wait for (a promise that never settles), Node exits
  // with this code rather than 0, which would read as a passed run.
  process.exitCode = 1;
  const database = await startEmbeddedPostgres();
  process.exitCode = undefined;
  console.log(`PostgreSQL suites: the run's own PostgreSQL (embedded-postgres) on 127.0.0.1:${database.port}; set TEST_DATABASE_URL to use another`);
  project.provide('testDatabaseUrl', database.url);
  return () => database.stop();
}
