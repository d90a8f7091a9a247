/**
 * Where the PostgreSQL suites find their database: TEST_DATABASE_URL, or the PostgreSQL the run
 * started for them (tests/helpers/postgres-setup.ts).
 */
import { inject } from 'vitest';

/**
 * Whether a test file's source runs a PostgreSQL suite: it names the backend (`'PostgreSQL'`, as
 * the suites run on both stores do) or asks for the URL. Decides whether a run starts a PostgreSQL.
 */
export function needsPostgres(source: string): boolean {
  return /'PostgreSQL'|\btestDatabaseUrl\(|\bTEST_DATABASE_URL\b/.test(source);
}

/** The PostgreSQL URL of this run; throws when the run has none (a file the setup did not see as a PostgreSQL suite). */
export function testDatabaseUrl(): string {
  const given = process.env['TEST_DATABASE_URL'];
  if (given !== undefined && given !== '') return given;
  const provided = inject('testDatabaseUrl');
  if (provided === undefined || provided === '') {
    throw new Error('This run has no PostgreSQL: set TEST_DATABASE_URL, or name the backend \'PostgreSQL\' in the test file so the run starts one (tests/helpers/test-database.ts)');
  }
  return provided;
}
