/**
 * The printable report of an evidence package (docs/evidence.md): one self-contained HTML page, the
 * same facts as the JSON, readable without Travelog, saying which checkpoint it is proven against
 * and how to verify it. Pure string building, so the server's command line and the station's
 * Evidence screen print the same page from the same package.
 */
import type { EvidenceFact, EvidencePackage } from '../../schemas/evidence.ts';
import { shortConflictId, shortHoldId, shortNcrId } from '../domain/short-id.ts';

/** A value as text: strings as they are, anything else as JSON ('' for nothing). */
const str = (value: unknown): string => (typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value));


type Obj = Record<string, unknown>;

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A value as a person reads it (objects as compact text). */
function show(value: unknown): string {
  if (value === undefined || value === null || value === '') return '—';
  // Times as a person reads them, in UTC so the printed page means the same in every plant.
  if (typeof value === 'string') return ISO_TIME.test(value) ? `${value.slice(0, 10)} ${value.slice(11, 19)} UTC` : value;
  if (typeof value === 'number' || typeof value === 'boolean') return str(value);
  if (Array.isArray(value)) return value.length === 0 ? '—' : value.map(show).join(', ');
  const o = value as Obj;
  if (o['kind'] === 'serial' && typeof o['serial'] === 'string') return `serial ${o['serial']}`;
  if (o['kind'] === 'lot' && typeof o['lotId'] === 'string') return `lot ${o['lotId']}${typeof o['quantity'] === 'number' ? ` × ${o['quantity']}` : ''}`;
  if (o['kind'] === 'workOrder' && typeof o['workOrderId'] === 'string') return `work order ${o['workOrderId']}`;
  if (o['kind'] === 'variable') {
    const entered = o['entered'] as Obj | undefined;
    return `${show(o['value'])} ${show(o['unit'])}${entered !== undefined && entered['unit'] !== o['unit'] ? ` (entered ${show(entered['text'])} ${show(entered['unit'])})` : ''}`;
  }
  if (o['kind'] === 'attribute') return show(o['verdict']);
  if (typeof o['printedName'] === 'string') return `${o['printedName']} (${show(o['signerBadge'])}), ${show(o['signedAt'])}: “${show(o['meaning'])}”, reason: ${show(o['reason'])}`;
  return Object.entries(o)
    .map(([k, v]) => `${k} ${show(v)}`)
    .join('; ');
}

/** A subject key in words. */
function subjectWords(subject: unknown): string {
  const text = str(subject ?? '');
  const colon = text.indexOf(':');
  if (colon < 0) return text;
  const kind = text.slice(0, colon);
  return `${kind === 'work-order' ? 'work order' : kind} ${text.slice(colon + 1)}`;
}

const r = (f: EvidenceFact, path: string): unknown => (f.recorded)[path];
const c = (f: EvidenceFact, key: string): unknown => (f.context)[key];
const who = (badge: unknown, name: unknown): string => (name === undefined ? show(badge) : `${show(name)} (${show(badge)})`);
const entryRef = (f: EvidenceFact): string => (f.entry === undefined ? '—' : `#${f.entry}`);

function table(title: string, head: readonly string[], rows: readonly (readonly string[])[], empty: string): string {
  if (rows.length === 0) return `<section><h2>${escape(title)}</h2><p class="none">${escape(empty)}</p></section>`;
  return `<section><h2>${escape(title)}</h2><table><thead><tr>${head.map((h) => `<th>${escape(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((row) => `<tr>${row.map((cell) => `<td>${escape(cell)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table></section>`;
}

function limits(value: unknown): string {
  if (value === undefined) return '—';
  const l = value as Obj;
  const unit = l['unit'] === undefined ? '' : ` ${show(l['unit'])}`;
  if (l['lower'] !== undefined && l['upper'] !== undefined) return `${show(l['lower'])} – ${show(l['upper'])}${unit}`;
  if (l['upper'] !== undefined) return `≤ ${show(l['upper'])}${unit}`;
  if (l['lower'] !== undefined) return `≥ ${show(l['lower'])}${unit}`;
  return '—';
}

/** A genealogy fact as a row: material, relation, what it went into, quantity, reason, who, when. */
function genealogyRow(f: EvidenceFact): string[] {
  const op = c(f, 'workOrderId') === undefined ? '—' : `${show(c(f, 'workOrderId'))} ${show(c(f, 'operationId'))}`;
  return [
    show(c(f, 'depth')), subjectWords(c(f, 'material')), show(c(f, 'relation')), c(f, 'into') === undefined ? '—' : subjectWords(c(f, 'into')), show(c(f, 'partNumber')),
    `${show(c(f, 'quantity'))}${c(f, 'stillBuiltIn') === undefined ? '' : ` (${show(c(f, 'stillBuiltIn'))} still built in)`}`, op,
    show(c(f, 'reason')), show(r(f, 'event.actor')), show(r(f, 'recordedAt')), entryRef(f),
  ];
}

const ncrName = (f: EvidenceFact): string => shortNcrId(str(c(f, 'ncrId') ?? ''), typeof c(f, 'openedAt') === 'string' ? str(c(f, 'openedAt')) : undefined);

/** An NCR's items and what was decided of each, in words. */
function ncrItems(value: unknown): string {
  if (!Array.isArray(value) || value.length === 0) return '—';
  return (value as Obj[])
    .map((item) => {
      const decided = Array.isArray(item['dispositions']) ? (item['dispositions'] as Obj[]) : [];
      const words = decided.map((d) => `${show(d['quantity'])} ${str(d['disposition']).replace(/-/g, ' ')} (signed ${show(d['signedBy'])})${d['carriedOut'] === true ? ', carried out' : ''}`);
      return `${show(item['unit'])}, quantity ${show(item['quantity'])}: ${words.length === 0 ? 'not yet dispositioned' : words.join('; ')}`;
    })
    .join(' · ');
}

/** Where an NCR's photo is: its hash (which the signed record names), its type and size, and whether the server holds it. */
function ncrPhoto(value: unknown): string {
  if (typeof value !== 'object' || value === null) return '—';
  const photo = value as Obj;
  const where = photo['onServer'] === true ? `on the server at ${str(photo['path'])}` : 'not on the server yet (the station that took it has not put it up)';
  return `SHA-256 ${str(photo['sha256'])} (${str(photo['mediaType'])}, ${show(photo['bytes'])} bytes), ${where}`;
}

const isPhoto = (value: unknown): value is { sha256: string; mediaType: string; bytes: number } =>
  typeof value === 'object' && value !== null && typeof (value as Obj)['sha256'] === 'string' && typeof (value as Obj)['mediaType'] === 'string';

/** What an NCR record says besides its signatures: a description, a disposition and quantity, a note; any other field as it is. */
function ncrWhat(payload: Obj): string {
  const parts: string[] = [];
  if (typeof payload['disposition'] === 'string') parts.push(`${payload['disposition'].replace(/-/g, ' ')}, quantity ${show(payload['quantity'])}`);
  if (typeof payload['description'] === 'string') parts.push(payload['description']);
  if (typeof payload['note'] === 'string') parts.push(payload['note']);
  if (isPhoto(payload['photo'])) parts.push(`photo SHA-256 ${payload['photo'].sha256} (${payload['photo'].mediaType}, ${payload['photo'].bytes} bytes)`);
  const known = new Set(['photo', 'ncrId', 'itemId', 'workOrderId', 'operationId', 'unit', 'items', 'disposition', 'quantity', 'description', 'note', 'signature', 'concurrence', 'customerApprovalRef']);
  for (const [key, value] of Object.entries(payload)) if (!known.has(key)) parts.push(`${key.replace(/([A-Z])/g, ' $1').toLowerCase()}: ${show(value)}`);
  return parts.length === 0 ? '—' : parts.join('; ');
}

/** The report's title: what the package is about. */
export function evidenceTitle(pkg: EvidencePackage): string {
  return `Evidence for ${pkg.query.kind === 'workOrder' ? 'work order' : pkg.query.kind} ${pkg.query.id}`;
}

/** The whole report as one HTML document. */
export function evidenceReport(pkg: EvidencePackage, fileName = 'evidence.json'): string {
  const { facts } = pkg;
  const keyInForce = pkg.keys.find((k) => k.validFromIndex <= pkg.checkpoint.size - 1 && (k.validUntilIndex === undefined || k.validUntilIndex >= pkg.checkpoint.size - 1));
  const traveler = [...facts.traveler].sort((a, b) => Number(c(a, 'sequence') ?? 0) - Number(c(b, 'sequence') ?? 0) || (a.entry ?? 0) - (b.entry ?? 0));
  const qualification = (f: EvidenceFact): string => {
    const q = c(f, 'qualification') as Obj | null | undefined;
    if (q === undefined) return '—';
    if (q === null) return 'none on record';
    return `${show(q['operationType'])}, expires ${show(q['expires'])} (${q['validThatDay'] === true ? 'valid that day' : 'NOT valid that day'})`;
  };
  const ncrs = facts.nonconformances.filter((f) => c(f, 'record') === undefined);
  const ncrRecords = facts.nonconformances.filter((f) => c(f, 'record') !== undefined);
  const sections = [
    table('Units', ['Unit', 'Work order', 'Part', 'Revision'], facts.units.map((f) => [subjectWords(c(f, 'subject')), show(c(f, 'workOrderId')), show(c(f, 'partNumber')), show(c(f, 'partRevision'))]), 'No unit.'),
    table(
      'Traveler',
      ['Op', 'Operation', 'Step', 'Unit', 'Who', 'Qualification that day', 'Device time', 'Server time', 'Station', 'Instruction', 'Current then', 'Flags', 'Entry'],
      traveler.map((f) => [
        show(r(f, 'event.payload.operationId')),
        show(c(f, 'operationName')),
        r(f, 'eventType') === 'op.started' ? 'started' : 'completed',
        show(r(f, 'event.payload.unit')),
        who(r(f, 'event.actor'), c(f, 'operatorName')),
        qualification(f),
        show(r(f, 'event.deviceTime')),
        show(r(f, 'recordedAt')),
        show(c(f, 'stationName') ?? r(f, 'stationId')),
        `${show(c(f, 'instructionRef'))} rev ${show(r(f, 'event.payload.instructionRevision'))}`,
        c(f, 'instructionCurrentThen') === true ? 'yes' : c(f, 'instructionCurrentThen') === false ? 'NO' : '—',
        show(r(f, 'flags')),
        entryRef(f),
      ]),
      'No operation was recorded.',
    ),
    table(
      'Measurements',
      ['Characteristic', 'Unit', 'Value (entered)', 'Limits', 'Verdict', 'Gauge', 'Inspector', 'Device time', 'Server time', 'Flags', 'Entry'],
      facts.measurements.map((f) => [
        `${show(c(f, 'characteristicName') ?? r(f, 'event.payload.characteristicId'))} rev ${show(r(f, 'event.payload.characteristicRevision'))}`,
        show(r(f, 'event.payload.unit')),
        show(r(f, 'event.payload.measured')),
        limits(c(f, 'limits')),
        show(r(f, 'event.payload.result')),
        show(r(f, 'event.payload.gaugeId')),
        who(r(f, 'event.actor'), c(f, 'inspectorName')),
        show(r(f, 'event.deviceTime')),
        show(r(f, 'recordedAt')),
        show(r(f, 'flags')),
        entryRef(f),
      ]),
      'No measurement was recorded.',
    ),
    table(
      'Genealogy: what went in (where-from)',
      ['Level', 'Material', 'Relation', 'Into', 'Part', 'Quantity', 'Work order / op', 'Reason', 'Who', 'Server time', 'Entry'],
      facts.whereFrom.map(genealogyRow),
      'Nothing went into it.',
    ),
    table(
      'Genealogy: where it went (where-used), and what was scrapped',
      ['Level', 'Material', 'Relation', 'Into', 'Part', 'Quantity', 'Work order / op', 'Reason', 'Who', 'Server time', 'Entry'],
      facts.whereUsed.map(genealogyRow),
      'It went into nothing, and nothing of it was scrapped.',
    ),
    table(
      'Lots and their provenance',
      ['Lot', 'Part', 'Supplier', 'Supplier lot / heat', 'Certificate', 'Received'],
      facts.lots.map((f) => {
        const p = (c(f, 'provenance') ?? {}) as Obj;
        return [subjectWords(c(f, 'subject')), show(p['partNumber']), show(p['supplier']), show(p['supplierLot'] ?? p['heatNumber']), show(p['certificate']), show(p['receivedDate'])];
      }),
      'No lot in its genealogy.',
    ),
    table(
      'Holds',
      ['Hold', 'What', 'Who', 'Reason / signature', 'Server time', 'Entry'],
      facts.holds.map((f) => [
        shortHoldId(str(r(f, 'event.payload.holdId') ?? '')),
        r(f, 'eventType') === 'hold.placed' ? `placed on ${show(r(f, 'event.payload.subject'))}` : 'released',
        who(r(f, 'event.actor'), c(f, 'placedByName')),
        r(f, 'eventType') === 'hold.placed' ? show(r(f, 'event.payload.reason')) : show(r(f, 'event.payload.signature')),
        show(r(f, 'recordedAt')),
        entryRef(f),
      ]),
      'No hold.',
    ),
    table(
      'Nonconformances',
      ['NCR', 'Status now', 'Description', 'Opened by', 'Opened', 'Items and dispositions now', 'Photo', 'Entry'],
      ncrs.map((f) => [ncrName(f), show(c(f, 'status')), show(c(f, 'description')), who(c(f, 'openedBy'), c(f, 'openedByName')), show(c(f, 'openedAt')), ncrItems(c(f, 'items')), ncrPhoto(c(f, 'photo')), entryRef(f)]),
      'No nonconformance.',
    ),
    table(
      'Nonconformance records: dispositions and their signatures, as recorded',
      ['NCR', 'Record', 'Unit', 'What', 'Signed by (manifestation)', 'Engineering concurrence', 'Customer approval', 'Who', 'Server time', 'Entry'],
      ncrRecords.map((f) => {
        const p = (r(f, 'event.payload') ?? {}) as Obj;
        const items = Array.isArray(p['items']) ? (p['items'] as Obj[]).map((i) => show(i['unit'])).join(', ') : '';
        return [
          ncrName(f),
          show(c(f, 'record')),
          show(p['unit'] ?? items),
          ncrWhat(p),
          show(p['signature']),
          show(p['concurrence']),
          show(p['customerApprovalRef']),
          who(r(f, 'event.actor'), c(f, 'actorName')),
          show(r(f, 'recordedAt')),
          entryRef(f),
        ];
      }),
      'No nonconformance was recorded or dispositioned in Travelog.',
    ),
    table(
      'Conflict items and resolutions',
      ['Item', 'Flag', 'What', 'Resolution / signature', 'Entry'],
      facts.conflicts.map((f) => [
        shortConflictId(str(c(f, 'conflictId') ?? r(f, 'event.payload.conflictId') ?? '')),
        show(c(f, 'flag') ?? r(f, 'flags')),
        show(c(f, 'description')),
        r(f, 'event.payload.signature') === undefined ? show(c(f, 'status')) : `${show(r(f, 'event.payload.action'))}: ${show(r(f, 'event.payload.signature'))}`,
        entryRef(f),
      ]),
      'No conflict item.',
    ),
    table(
      'Events refused into quarantine',
      ['Event', 'Who', 'Station', 'Server time', 'Reason', 'Entry'],
      facts.refused.map((f) => [show(r(f, 'eventType')), who(r(f, 'actor'), c(f, 'actorName')), show(c(f, 'stationName') ?? r(f, 'stationId')), show(r(f, 'recordedAt')), show(r(f, 'reason')), entryRef(f)]),
      'No refused event.',
    ),
    table('Completeness: the chains this package holds whole', ['Subject', 'Newest entry up to the checkpoint'], pkg.subjects.map((s) => [subjectWords(s.subject), s.head === null ? 'none' : `#${s.head}`]), 'No subject.'),
  ];
  const title = evidenceTitle(pkg);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>
body{font:11pt/1.4 system-ui,sans-serif;margin:1.5cm;color:#111}
h1{font-size:18pt;margin:0 0 .3em}h2{font-size:13pt;margin:1.2em 0 .4em;border-bottom:1px solid #999}
table{border-collapse:collapse;width:100%;font-size:9pt}th,td{border:1px solid #bbb;padding:2px 4px;text-align:left;vertical-align:top}
th{background:#eee}.none{color:#555}.proof{border:2px solid #333;padding:.5em 1em;margin:1em 0}code{font-size:9pt;word-break:break-all}
@media print{body{margin:0}section{break-inside:auto}tr{break-inside:avoid}@page{size:A4 landscape;margin:1cm}}
</style></head><body>
<h1>${escape(title)}</h1>
<p>Generated ${escape(show(pkg.generatedAt))} from the plant's signed audit log. ${pkg.entries.length} audit entries are cited${pkg.withheld.length > 0 ? `; ${pkg.withheld.length} entries of programs the reader is not cleared for are carried as hashes only` : ''}.${pkg.truncated ? ' The genealogy walk was cut short at its bound: units beyond it are not in this report.' : ''}</p>
<div class="proof"><h2>Proven against</h2>
<p>Checkpoint of the audit log at <strong>${pkg.checkpoint.size} entries</strong>, root hash <code>${escape(pkg.checkpoint.root)}</code>, signed by server key <code>${escape(keyInForce?.keyId ?? '?')}</code> (public key <code>${escape(keyInForce?.publicKey ?? '?')}</code>, in force from entry ${keyInForce?.validFromIndex ?? '?'}).</p>
<p><strong>How to verify:</strong> with the JSON file of this package (${escape(fileName)}), run <code>npm run evidence:verify -- ${escape(fileName)} --key ${escape(keyInForce?.publicKey ?? '&lt;key&gt;')}</code> in a copy of Travelog, or <code>node evidence-verify.ts ${escape(fileName)} --key …</code> with Node 24 (one file, no network). It checks every cited entry's inclusion proof to this checkpoint, the checkpoint's signature, that no entry about any listed subject up to the checkpoint was left out, added or reordered, every carried event's station signature, and that every fact below is what its entry records. docs/evidence.md describes every check. Entry numbers (#N) below are the log entries each fact comes from; names, limits, qualifications and provenance are the plant's master data at the time the package was made, not proven by the log.</p></div>
${sections.join('\n')}
</body></html>
`;
}
