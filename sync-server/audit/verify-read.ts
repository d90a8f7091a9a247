/**
 * Reads a PGlite data directory's audit log as the bytes PostgreSQL stores, a page at a time, for
 * `audit:verify --data` (verify.ts, verifyRawPages). Each page is one simple query whose answer is
 * taken as PostgreSQL's wire protocol (PGlite's execProtocolRaw) and cut into rows here: the
 * entries' UTF-8 texts are never decoded into JavaScript strings on the reading thread. Decoding
 * every row into strings and objects (PGlite's query results) cost this thread about 14.5 µs per
 * entry; this costs a fraction of that (bench/audit-verify.ts). The answer is taken from PGlite's
 * raw stream (execProtocolRawStream), which leaves its own parsing of the messages out. The page's bytes go, as one
 * SharedArrayBuffer, to the worker that checks them (verify-scan.ts), and stay readable here for the
 * few entries the ordered checks read whole (a station run's last event, a signed entry).
 *
 * The rows are exactly those of `SELECT idx, entry, signature … ORDER BY idx`, as the row reader
 * (verify-cli.ts) reads them; tests/integration/audit-verify-data.test.ts compares the two.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

/** Entries a page asks for. */
export const RAW_PAGE = 8192;

/** A page of rows as stored: their bytes, and where each field lies in them. */
export interface RawPage {
  /** The page's bytes (shared with the worker that checks them). */
  bytes: Uint8Array<SharedArrayBuffer>;
  /** Each row's idx. */
  indexes: Float64Array<ArrayBuffer>;
  /** Where each row's entry text starts in `bytes`, and its length in bytes. */
  starts: Int32Array<ArrayBuffer>;
  lengths: Int32Array<ArrayBuffer>;
  /** Where each row's signature starts, and its length (0: none, as format 6 stores ''). */
  signatureStarts: Int32Array<ArrayBuffer>;
  signatureLengths: Int32Array<ArrayBuffer>;
}

/** The number of rows of a page. */
export function rowCount(page: RawPage): number {
  return page.indexes.length;
}

/** A row's entry text (decoded only where the ordered checks need it). */
export function rowText(page: RawPage, row: number): string {
  const start = page.starts[row] as number;
  return Buffer.from(page.bytes.buffer, page.bytes.byteOffset + start, page.lengths[row] as number).toString('utf8');
}

/** A row's signature, or undefined for none. */
export function rowSignature(page: RawPage, row: number): string | undefined {
  const length = page.signatureLengths[row] as number;
  if (length <= 0) return undefined;
  const start = page.signatureStarts[row] as number;
  return Buffer.from(page.bytes.buffer, page.bytes.byteOffset + start, length).toString('utf8');
}

const encoder = new TextEncoder();

/** A simple-query message ('Q'): the SQL, NUL-terminated. */
function queryMessage(sql: string): Uint8Array {
  const text = encoder.encode(sql);
  const message = new Uint8Array(1 + 4 + text.length + 1);
  const view = new DataView(message.buffer);
  message[0] = 0x51;
  view.setInt32(1, 4 + text.length + 1);
  message.set(text, 5);
  return message;
}

/** An ErrorResponse's message field ('M'). */
function errorMessage(bytes: Uint8Array, start: number, end: number): string {
  for (let at = start; at < end && bytes[at] !== 0; ) {
    const code = bytes[at] as number;
    let stop = at + 1;
    while (stop < end && bytes[stop] !== 0) stop += 1;
    if (code === 0x4d) return Buffer.from(bytes.buffer, bytes.byteOffset + at + 1, stop - at - 1).toString('utf8');
    at = stop + 1;
  }
  return 'the database answered with an error';
}

/**
 * Cuts a simple query's answer into rows of (idx, entry, signature): DataRow messages ('D': an
 * Int16 count of fields, then each as an Int32 length, -1 for NULL, and its bytes). Throws on an
 * ErrorResponse.
 */
export function rowsOfAnswer(shared: Uint8Array<SharedArrayBuffer>): RawPage {
  const view = new DataView(shared.buffer, shared.byteOffset, shared.byteLength);
  // Count the rows first, so every array has its size.
  let rows = 0;
  for (let at = 0; at + 5 <= shared.length; at += 1 + view.getInt32(at + 1)) {
    if (view.getInt32(at + 1) < 4) throw new Error('the database answered with a message that cannot be read');
    const type = shared[at];
    if (type === 0x44) rows += 1;
    else if (type === 0x45) throw new Error(errorMessage(shared, at + 5, at + 1 + view.getInt32(at + 1)));
  }
  const page: RawPage = {
    bytes: shared,
    indexes: new Float64Array(rows),
    starts: new Int32Array(rows),
    lengths: new Int32Array(rows),
    signatureStarts: new Int32Array(rows),
    signatureLengths: new Int32Array(rows),
  };
  let row = 0;
  for (let at = 0; at + 5 <= shared.length; at += 1 + view.getInt32(at + 1)) {
    if (shared[at] !== 0x44) continue;
    let field = at + 5;
    if (view.getInt16(field) !== 3) throw new Error('a row of audit_entries does not have the three columns asked for');
    field += 2;
    // idx: text digits.
    const idxLength = view.getInt32(field);
    field += 4;
    if (idxLength <= 0) throw new Error('a row of audit_entries has no index');
    let index = 0;
    for (let k = 0; k < idxLength; k++) {
      const digit = (shared[field + k] as number) - 0x30;
      if (digit < 0 || digit > 9) throw new Error('a row of audit_entries has an index that is not a number');
      index = index * 10 + digit;
    }
    field += idxLength;
    page.indexes[row] = index;
    const entryLength = view.getInt32(field);
    field += 4;
    if (entryLength < 0) throw new Error(`entry ${index} has no text`);
    page.starts[row] = field;
    page.lengths[row] = entryLength;
    field += entryLength;
    const signatureLength = view.getInt32(field);
    field += 4;
    page.signatureStarts[row] = field;
    page.signatureLengths[row] = Math.max(0, signatureLength);
    row += 1;
  }
  return page;
}

/** The log of a PGlite data directory as raw pages (read only: no migration is run); closes after the last page, or with `close`. */
export async function rawLogFromDataDir(dataDir: string, pageSize = RAW_PAGE): Promise<{ checkpoints: string[]; pages: AsyncGenerator<RawPage>; close: () => Promise<void> }> {
  // PGlite would make a new database where there is none: a mistyped directory must change nothing.
  if (!existsSync(join(dataDir, 'pglite', 'PG_VERSION'))) throw new Error(`${dataDir} holds no PGlite database (no pglite/PG_VERSION)`);
  const db = await PGlite.create(join(dataDir, 'pglite'));
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await db.close();
  };
  /**
   * The bytes of a query's answer, copied as PGlite hands them over into one shared buffer. Its
   * raw stream only: execProtocolRaw also parses every message into objects, which is most of what
   * reading rows cost.
   */
  let capacity = 1 << 20;
  const answerOf = async (sql: string): Promise<Uint8Array<SharedArrayBuffer>> => {
    let buffer = new Uint8Array(new SharedArrayBuffer(capacity));
    let length = 0;
    await db.execProtocolRawStream(queryMessage(sql), {
      syncToFs: false,
      onRawData: (chunk) => {
        if (length + chunk.length > buffer.length) {
          const grown = new Uint8Array(new SharedArrayBuffer(Math.max(buffer.length * 2, length + chunk.length)));
          grown.set(buffer.subarray(0, length));
          buffer = grown;
        }
        buffer.set(chunk, length);
        length += chunk.length;
      },
    });
    // The next page is about as long: room for it at once.
    capacity = Math.max(capacity, Math.ceil(length * 1.25));
    return buffer.subarray(0, length);
  };
  let checkpoints: string[];
  try {
    checkpoints = (await db.query<{ note: string }>('SELECT note FROM audit_checkpoints ORDER BY size')).rows.map((c) => c.note);
  } catch (error) {
    await close();
    throw error;
  }
  async function* pages(): AsyncGenerator<RawPage> {
    try {
      // By key, not offset: each page starts where the last ended, in the index's order.
      for (let after = -1; ; ) {
        const page = rowsOfAnswer(await answerOf(`SELECT idx, entry, signature FROM audit_entries WHERE idx > ${after} ORDER BY idx LIMIT ${pageSize}`));
        const rows = rowCount(page);
        if (rows > 0) yield page;
        if (rows < pageSize) return;
        after = page.indexes[rows - 1] as number;
      }
    } finally {
      await close();
    }
  }
  return { checkpoints, pages: pages(), close };
}

/**
 * The page PostgreSQL's answer to the page query would be for these rows (a RowDescription, a
 * DataRow each, CommandComplete, ReadyForQuery): for tests of the scan without a database.
 */
export function rawPageOf(rows: ReadonlyArray<{ index: number; entry: string; signature?: string }>): RawPage {
  const parts: Buffer[] = [];
  const message = (type: string, body: Buffer): void => {
    const head = Buffer.alloc(5);
    head.write(type, 0, 'latin1');
    head.writeInt32BE(4 + body.length, 1);
    parts.push(head, body);
  };
  message('T', Buffer.from([0, 0]));
  for (const row of rows) {
    const fields = [Buffer.from(String(row.index)), Buffer.from(row.entry, 'utf8'), Buffer.from(row.signature ?? '', 'utf8')];
    const count = Buffer.alloc(2);
    count.writeInt16BE(3);
    const body = [count];
    for (const field of fields) {
      const length = Buffer.alloc(4);
      length.writeInt32BE(field.length);
      body.push(length, field);
    }
    message('D', Buffer.concat(body));
  }
  message('C', Buffer.from('SELECT\0'));
  message('Z', Buffer.from('I'));
  const answer = Buffer.concat(parts);
  const shared = new Uint8Array(new SharedArrayBuffer(answer.length));
  shared.set(answer);
  return rowsOfAnswer(shared);
}
