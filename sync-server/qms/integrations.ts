/**
 * Integration credentials (the QMS): made by plant IT with `npm run integration -- create`, kept as
 * the SHA-256 of a 256-bit random credential (as a station's), cleared for some programs. An
 * integration may post dispositions and read NCRs of its programs; every other route answers 403.
 */
import { randomUUID } from 'node:crypto';
import { ApiFailure } from '../api-error.ts';
import type { AuditLog, EntryDraft } from '../audit/audit-log.ts';
import type { Store } from '../store/store.ts';
import { credentialHash, newCredential } from '../stations/credentials.ts';
import type { SqlClient } from '../store/sql-client.ts';

export interface Integration {
  id: string;
  name: string;
  programs: string[];
  createdAt: string;
  revokedAt: string | null;
}

interface IntegrationRow {
  id: string;
  name: string;
  programs: string[] | string;
  created_at: string | Date;
  revoked_at: string | Date | null;
}

function toIntegration(row: IntegrationRow): Integration {
  const iso = (value: string | Date): string => new Date(value).toISOString();
  return {
    id: row.id,
    name: row.name,
    programs: typeof row.programs === 'string' ? (JSON.parse(row.programs) as string[]) : row.programs,
    createdAt: iso(row.created_at),
    revokedAt: row.revoked_at === null ? null : iso(row.revoked_at),
  };
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,79}$/;
const PROGRAM = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;

/** Makes an integration and returns it with its credential, shown this once. */
export async function createIntegration(sql: SqlClient, request: { name: string; programs: readonly string[] }, at: Date): Promise<{ integration: Integration; credential: string }> {
  const name = request.name.trim();
  if (!NAME.test(name)) throw new Error('--name must be 1–80 letters, digits, spaces, dots, dashes or underscores, e.g. QMS');
  const programs = [...new Set(request.programs.map((p) => p.trim()).filter((p) => p !== ''))];
  if (programs.length === 0) throw new Error('--programs must name at least one program, e.g. F-35-ACT,COMMERCIAL');
  const bad = programs.find((p) => !PROGRAM.test(p));
  if (bad !== undefined) throw new Error(`"${bad}" is not a program name`);
  const existing = await sql.query<{ id: string }>('SELECT id FROM integrations WHERE name = $1', [name]);
  if (existing.length > 0) throw new Error(`An integration named ${name} exists already; revoke it first or choose another name`);
  const credential = newCredential();
  const id = randomUUID();
  await sql.query('INSERT INTO integrations (id, name, credential_hash, programs, created_at) VALUES ($1, $2, $3, $4::jsonb, $5)', [
    id, name, credentialHash(credential), JSON.stringify(programs), at.toISOString(),
  ]);
  return { integration: { id, name, programs, createdAt: at.toISOString(), revokedAt: null }, credential };
}

/** Revokes the integration of that name; false when there is none not yet revoked. */
export async function revokeIntegration(sql: SqlClient, name: string, at: Date): Promise<boolean> {
  const rows = await sql.query<{ id: string }>('UPDATE integrations SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL RETURNING id', [name, at.toISOString()]);
  return rows.length > 0;
}

/** Who made or revoked an integration: plant IT's name as `--by` gives it, the audit entry's actor. */
const BY = /^\S[^\n\r]{0,79}$/;

function byOf(by: string): string {
  const name = by.trim();
  if (!BY.test(name)) throw new Error('--by must name who does it (1–80 characters, e.g. "Pat Kim"): it is the audit entry\'s actor');
  return name;
}

/** The audit entry of a change to an integration: who, when, which integration and programs; never its credential. */
function integrationEntry(kind: 'integration.created' | 'integration.revoked', integration: Pick<Integration, 'id' | 'name' | 'programs'>, by: string, at: Date): EntryDraft {
  return { kind, recordedAt: at.toISOString(), actor: by, role: 'plant IT', subject: { integrationId: integration.id, name: integration.name, programs: [...integration.programs] } };
}

/**
 * Makes an integration and appends its `integration.created` audit entry (who, when, which programs)
 * in one transaction under the server-sequence lock, or neither.
 */
export async function createIntegrationAudited(
  store: Pick<Store, 'locked'>,
  audit: AuditLog,
  request: { name: string; programs: readonly string[]; by: string },
  at: Date,
): Promise<{ integration: Integration; credential: string }> {
  const by = byOf(request.by);
  return store.locked(async (tx) => {
    const made = await createIntegration(tx.sql, request, at);
    await audit.append(tx.sql, [integrationEntry('integration.created', made.integration, by, at)]);
    return made;
  });
}

/** Revokes the integration of that name with its `integration.revoked` audit entry, in one transaction; null when there is none not yet revoked. */
export async function revokeIntegrationAudited(store: Pick<Store, 'locked'>, audit: AuditLog, request: { name: string; by: string }, at: Date): Promise<Integration | null> {
  const by = byOf(request.by);
  return store.locked(async (tx) => {
    const rows = await tx.sql.query<IntegrationRow>(
      'UPDATE integrations SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL RETURNING id, name, programs, created_at, revoked_at',
      [request.name, at.toISOString()],
    );
    const row = rows[0];
    if (row === undefined) return null;
    const integration = toIntegration(row);
    await audit.append(tx.sql, [integrationEntry('integration.revoked', integration, by, at)]);
    return integration;
  });
}

export async function listIntegrations(sql: SqlClient): Promise<Integration[]> {
  const rows = await sql.query<IntegrationRow>('SELECT id, name, programs, created_at, revoked_at FROM integrations ORDER BY created_at, name');
  return rows.map(toIntegration);
}

const BEARER = /^Bearer ([A-Za-z0-9_-]{32,200})$/;

/** The unrevoked integration an `Authorization: Bearer …` header names, or undefined (it may be a station's). */
export async function integrationOf(sql: SqlClient, authorization: string | undefined): Promise<Integration | undefined> {
  const match = BEARER.exec(authorization?.trim() ?? '');
  if (match?.[1] === undefined) return undefined;
  const [row] = await sql.query<IntegrationRow>('SELECT id, name, programs, created_at, revoked_at FROM integrations WHERE credential_hash = $1', [credentialHash(match[1])]);
  if (row === undefined) return undefined;
  const integration = toIntegration(row);
  if (integration.revokedAt !== null) throw new ApiFailure(401, 'unauthenticated', 'This integration credential was revoked; plant IT must create a new one');
  return integration;
}

/** The answer an integration gets on a route that is not for it. */
export function notForIntegrations(): ApiFailure {
  return new ApiFailure(403, 'forbidden', 'An integration credential may only post dispositions (POST /api/qms/dispositions) and read NCRs (GET /api/ncrs)');
}

/**
 * Runs a station's authentication; when it fails with 401 and the credential is an integration's,
 * answers 403 instead: an integration may use the QMS routes only.
 */
export async function forbidIntegrations<T>(store: { sql: SqlClient }, authorization: string | undefined, authenticate: () => Promise<T>): Promise<T> {
  try {
    return await authenticate();
  } catch (error) {
    if (error instanceof ApiFailure && error.statusCode === 401) {
      const integration = await integrationOf(store.sql, authorization).catch(() => undefined);
      if (integration !== undefined) throw notForIntegrations();
    }
    throw error;
  }
}
