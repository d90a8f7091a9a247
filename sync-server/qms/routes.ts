/**
 * The QMS link's routes (docs/ncr.md, *The QMS link*; docs/sync-spec.md S25):
 *
 * * `GET /api/ncrs` (JSON) and `GET /api/ncrs?format=csv`: the NCRs the caller is cleared for, for a
 *   station or an integration credential;
 * * `GET /api/ncrs/:ncrId`: one NCR (by id or short id); another program's reads as unknown (S10);
 * * `POST /api/qms/dispositions`: a disposition decided in the QMS, for an integration credential
 *   only, and only when the plant's MRB decides in the QMS (`MRB_DECIDES=qms`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiFailure } from '../api-error.ts';
import { DISPOSITION_NAMES, itemsOf, ncrLabel } from '../../src/domain/ncr.ts';
import { unitLabel } from '../../src/domain/plant.ts';
import type { Nonconformance } from '../../schemas/nonconformance.ts';
import { authenticateStation } from '../stations/credentials.ts';
import type { Store } from '../store/store.ts';
import type { PlantService } from '../sync/plant-service.ts';
import { decideQmsDisposition, findVisibleNcr, qmsDispositionRequestSchema, visibleNcrs, type QmsDecision, type QmsDispositionAnswer, type QmsDispositionRequest } from './inbound.ts';
import { integrationOf, notForIntegrations, type Integration } from './integrations.ts';

/** Where the plant's MRB decides (MRB_DECIDES). */
export type MrbDecides = 'travelog' | 'qms';

export interface QmsRouteOptions {
  store: Store;
  plant: PlantService;
  now: () => Date;
  mrbDecides: MrbDecides;
  /** Told after a disposition was applied (the outbox's next round). */
  onChange?: () => void;
}

type Caller = { kind: 'integration'; integration: Integration; programs: readonly string[] } | { kind: 'station'; programs: readonly string[] };

/** An integration's credential, or a station's; 401 for neither. */
async function callerOf(store: Store, request: FastifyRequest): Promise<Caller> {
  const integration = await integrationOf(store.sql, request.headers.authorization);
  if (integration !== undefined) return { kind: 'integration', integration, programs: integration.programs };
  const station = await authenticateStation(store, request.headers.authorization);
  return { kind: 'station', programs: station.programs };
}

const CSV_COLUMNS = [
  'ncr', 'ncr_id', 'status', 'opened_at', 'opened_by', 'work_order', 'operation', 'description',
  'item', 'unit', 'quantity', 'dispositioned', 'dispositions',
] as const;

/** One CSV field (RFC 4180), with a leading `=`, `+`, `-`, `@` defused so a spreadsheet does not run it. */
function csvField(value: string | number): string {
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The NCRs as CSV: one row per item (an NCR without items is one row). */
export function ncrCsv(state: Parameters<typeof itemsOf>[0], ncrs: readonly Nonconformance[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const ncr of ncrs) {
    const base = [ncrLabel(ncr), ncr.ncrId, ncr.status, ncr.openedAt, ncr.openedBy, ncr.workOrderId ?? '', ncr.operationId ?? '', ncr.description];
    const items = itemsOf(state, ncr);
    if (items.length === 0) lines.push([...base, '', '', '', '', ''].map(csvField).join(','));
    for (const item of items) {
      const decided = item.dispositions.reduce((sum, d) => sum + d.quantity, 0);
      const dispositions = item.dispositions
        .map((d) => `${d.quantity} ${DISPOSITION_NAMES[d.disposition]} (${d.qms === undefined ? d.signature.printedName : `QMS ${d.qms.reference}, ${d.qms.approver}`})`)
        .join('; ');
      lines.push([...base, item.itemId, unitLabel(item.unit), item.quantity, decided, dispositions].map(csvField).join(','));
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

export function registerQmsRoutes(app: FastifyInstance, options: QmsRouteOptions): void {
  const { store, plant } = options;

  app.get<{ Querystring: { format?: string } }>('/api/ncrs', async (request, reply) => {
    const caller = await callerOf(store, request);
    const format = request.query.format ?? 'json';
    if (format !== 'json' && format !== 'csv') throw new ApiFailure(400, 'invalid-request', `format must be json or csv, not "${format}"`);
    const state = plant.state();
    const ncrs = visibleNcrs(state, caller.programs);
    if (format === 'csv') {
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="ncrs.csv"')
        .send(ncrCsv(state, ncrs));
    }
    return { ncrs: ncrs.map((ncr) => ({ ncrShortId: ncrLabel(ncr), ...ncr, items: itemsOf(state, ncr) })) };
  });

  app.get<{ Params: { ncrId: string } }>('/api/ncrs/:ncrId', async (request) => {
    const caller = await callerOf(store, request);
    const state = plant.state();
    const ncr = findVisibleNcr(state, request.params.ncrId, caller.programs);
    if (ncr === undefined) throw new ApiFailure(404, 'not-found', `There is no NCR ${request.params.ncrId}`);
    return { ncrShortId: ncrLabel(ncr), ...ncr, items: itemsOf(state, ncr) };
  });

  app.post<{ Body: QmsDispositionRequest }>('/api/qms/dispositions', {
    // Authentication before the body is looked at: a stranger learns nothing of the schema.
    preValidation: async (request) => {
      const caller = await callerOf(store, request);
      if (caller.kind !== 'integration') throw new ApiFailure(403, 'forbidden', 'Only an integration credential (the QMS) may post a QMS disposition; a station signs its disposition on the NCRs screen');
      (request as FastifyRequest & { integration?: Integration }).integration = caller.integration;
    },
    schema: { body: qmsDispositionRequestSchema },
  }, async (request, reply) => {
    const integration = (request as FastifyRequest & { integration?: Integration }).integration;
    if (integration === undefined) throw notForIntegrations();
    if (options.mrbDecides !== 'qms') {
      throw new ApiFailure(409, 'mrb-decides-in-travelog', 'This plant\'s MRB decides in Travelog (MRB_DECIDES=travelog): quality signs dispositions at a station; the QMS receives them as webhooks');
    }
    const at = options.now();
    const answer = await plant.applyServerChange<QmsDecision>((state) => {
      const decision = decideQmsDisposition(state, request.body, integration, at);
      if (!decision.ok) return { value: decision };
      return { value: decision, ...(decision.change === undefined ? {} : { change: decision.change }), ...(decision.entry === undefined ? {} : { entries: [decision.entry] }) };
    });
    if (!answer.ok) throw new ApiFailure(answer.status, answer.code, answer.message);
    if (!answer.answer.replay) options.onChange?.();
    const body: QmsDispositionAnswer = answer.answer;
    return reply.code(answer.answer.replay ? 200 : 201).send(body);
  });
}
