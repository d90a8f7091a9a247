/**
 * Writes audit entries the way protocol versions 3–5 did (format 5): each entry's RFC 8785 text
 * signed by the server key, no `format` or `prev`, only its unit recorded in audit_units, and a
 * checkpoint after every `every` entries (so the last ones may be covered by no checkpoint). Old
 * logs must still verify (docs/audit.md, *Format 6*); tests build them with this. Nothing of the
 * checking is here.
 */
import { fromHex } from '../../src/audit/canonical.ts';
import { checkpointBody, formatNote } from '../../src/audit/checkpoint.ts';
import { appendLeaf, frontierNodes, frontierRoot, type Frontier } from '../../src/audit/merkle.ts';
import type { EntryDraft } from '../../sync-server/audit/audit-log.ts';
import { entryText, nodeSha256, signEntryTexts } from '../../sync-server/audit/entry-signing.ts';
import { signWith, type ServerKey } from '../../sync-server/audit/server-key.ts';
import type { SqlClient } from '../../sync-server/store/sql-client.ts';

/** Appends `drafts` as format 5 entries signed by `key`, checkpointing every `every` entries. */
export async function appendFormat5(sql: SqlClient, key: ServerKey, drafts: readonly EntryDraft[], every: number, at: Date): Promise<void> {
  const [row] = await sql.query<{ size: string | number; checkpointed: string | number }>(
    'SELECT (SELECT coalesce(max(idx) + 1, 0) FROM audit_entries) AS size, (SELECT coalesce(max(size), 0) FROM audit_checkpoints) AS checkpointed',
  );
  const first = Number(row?.size ?? 0);
  let checkpointed = Number(row?.checkpointed ?? 0);
  const wanted = frontierNodes(first);
  const nodes = await sql.query<{ level: number; idx: string | number; hash: string }>('SELECT level, idx, hash FROM audit_nodes');
  const byKey = new Map(nodes.map((n) => [`${n.level}:${Number(n.idx)}`, fromHex(n.hash)]));
  let frontier: Frontier = { size: first, nodes: wanted.map(({ level, index }) => byKey.get(`${level}:${index}`) as Uint8Array) };
  const texts = drafts.map((draft, i) => entryText({ ...draft, index: first + i, keyId: key.keyId }));
  const { signatures, leaves } = signEntryTexts(key.privateKey, texts);
  for (const [i, draft] of drafts.entries()) {
    const index = first + i;
    await sql.query('INSERT INTO audit_entries (idx, kind, entry, signature) VALUES ($1, $2, $3, $4)', [index, draft.kind, texts[i], signatures[i]]);
    const appended = appendLeaf(frontier, leaves.subarray(i * 32, (i + 1) * 32), nodeSha256);
    frontier = appended.frontier;
    for (const node of appended.completed) await sql.query('INSERT INTO audit_nodes (level, idx, hash) VALUES ($1, $2, $3)', [node.level, node.index, Buffer.from(node.hash).toString('hex')]);
    if (draft.unit !== undefined) await sql.query('INSERT INTO audit_units (unit, idx) VALUES ($1, $2)', [draft.unit, index]);
    if (frontier.size - checkpointed >= every) {
      const body = checkpointBody(key.keyName, frontier.size, frontierRoot(frontier, nodeSha256));
      const note = formatNote(body, key.keyName, fromHex(key.keyId), signWith(key, new TextEncoder().encode(body)));
      await sql.query('INSERT INTO audit_checkpoints (size, note, created_at) VALUES ($1, $2, $3)', [frontier.size, note, at.toISOString()]);
      checkpointed = frontier.size;
    }
  }
}
