import { useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { formatDateTime, travelerPath, unitFromParam } from '../../app/format.ts';
import { usePlant, useSession, useStation } from '../../app/station-context.ts';
import { unitKey, unitLabel } from '../../domain/plant.ts';
import { activeHoldsOn, resolveStep, stepOf } from '../../domain/traveler.ts';
import type { ActionResult, StepTarget } from '../../station/actions.ts';
import { completeOperation, consumeMaterial, startOperation } from '../../station/actions.ts';
import { shortNcrId } from '../../domain/short-id.ts';
import { CharacteristicEntry } from '../inspection/CharacteristicEntry.tsx';
import { useWedgeScan } from '../scan/use-wedge-scan.ts';
import { HoldBanner } from './HoldBanner.tsx';
import { MaterialPanel } from './MaterialPanel.tsx';
import { personName } from './names.ts';
import { STATUS_TEXT } from './TravelerScreen.tsx';

type Outcome = { ok: true; message: string } | { ok: false; message: string };

/** One operation on one unit: start it, scan its material in, record its inspection, sign it off. */
export function StepScreen() {
  const params = useParams();
  const workOrderId = params['workOrderId'] ?? '';
  const operationId = params['operationId'] ?? '';
  const unit = unitFromParam(params['unit'] ?? '');
  const { rt } = useStation();
  const { session } = useSession();
  const plant = usePlant(rt);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const busy = useRef(false);

  const resolved = unit === null ? null : resolveStep(plant, workOrderId, unit, operationId);
  const ctx = resolved?.ok === true ? resolved.value : null;

  const stepTarget: StepTarget | null = ctx === null ? null : { workOrderId: ctx.workOrder.id, unit: ctx.unit, operationId: ctx.operation.id };

  const act = async (run: () => Promise<ActionResult>, done: string) => {
    if (busy.current) return;
    busy.current = true;
    try {
      const result = await run();
      setOutcome(result.ok ? { ok: true, message: done } : { ok: false, message: result.message });
    } catch (error) {
      setOutcome({ ok: false, message: `Not recorded: ${error instanceof Error ? error.message : String(error)}` });
    } finally {
      busy.current = false;
    }
  };

  // Scans on a step without a bill still get an answer: the domain says this step takes no material.
  useWedgeScan((scanned) => {
    if (stepTarget === null) return;
    void act(() => consumeMaterial(rt, session, { ...stepTarget, scanned }), '');
  }, ctx !== null && ctx.operation.bill.length === 0);

  if (unit === null || resolved === null || !resolved.ok || ctx === null || stepTarget === null) {
    return (
      <main className="screen">
        <h1>Operation</h1>
        <div role="alert" className="refusal">
          {resolved !== null && !resolved.ok ? resolved.message : 'This address does not name a unit of a work order'}
        </div>
        <Link to={travelerPath(workOrderId)} className="button">
          Back to the traveler
        </Link>
      </main>
    );
  }

  const { workOrder, operation } = ctx;
  const step = stepOf(plant, workOrder.id, ctx.unit, operation);
  const holds = activeHoldsOn(plant, workOrder.id, ctx.unit);
  const label = unitLabel(ctx.unit);
  const ncrs = [...plant.nonconformances.values()].filter(
    (ncr) => ncr.subject.kind !== 'workOrder' && unitKey(ncr.subject) === unitKey(ctx.unit) && (ncr.workOrderId ?? workOrder.id) === workOrder.id,
  );

  return (
    <main className="screen">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/">Queue</Link> › <Link to={travelerPath(workOrder.id)}>{workOrder.id}</Link> › {label} › {operation.id}
      </nav>
      <h1>
        {operation.id} {operation.name} <span className="muted">on {label}</span>
      </h1>
      <dl className="facts">
        <div>
          <dt>Work order</dt>
          <dd>
            {workOrder.id} · {workOrder.partNumber} rev {workOrder.partRevision}
          </dd>
        </div>
        <div>
          <dt>Instruction</dt>
          <dd>
            {operation.instruction.ref} rev {operation.instruction.revision}
          </dd>
        </div>
        <div>
          <dt>Work center</dt>
          <dd>{operation.workCenterId}</dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd className={`status-text ${step.status}`} data-testid="step-status">
            {STATUS_TEXT[step.status]}
          </dd>
        </div>
      </dl>
      <ul className="marks">
        {step.record.started !== undefined && (
          <li>
            Started by {personName(plant, step.record.started.actor)} at {formatDateTime(step.record.started.at)}
          </li>
        )}
        {step.record.completed !== undefined && (
          <li>
            Completed by {personName(plant, step.record.completed.actor)} at {formatDateTime(step.record.completed.at)}
          </li>
        )}
      </ul>
      <HoldBanner plant={plant} holds={holds} />
      {ncrs.length > 0 && (
        <section className="ncr-list" aria-label="Nonconformances">
          {ncrs.map((ncr) => (
            <p key={ncr.ncrId}>
              <strong title={ncr.ncrId}>NCR draft {shortNcrId(ncr.ncrId, ncr.openedAt)}</strong> — {ncr.description}
            </p>
          ))}
        </section>
      )}

      <div className="actions">
        <button
          type="button"
          className="button primary big"
          onClick={() => void act(() => startOperation(rt, session, stepTarget), `${operation.id} started on ${label}`)}
        >
          Start operation
        </button>
        <button
          type="button"
          className="button primary big"
          onClick={() => void act(() => completeOperation(rt, session, stepTarget), `${operation.id} complete on ${label}`)}
        >
          Complete operation
        </button>
      </div>
      {outcome !== null && !outcome.ok && (
        <div role="alert" className="refusal">
          {outcome.message}
        </div>
      )}
      {outcome !== null && outcome.ok && outcome.message !== '' && (
        <p className="confirm" aria-live="polite">
          {outcome.message}
        </p>
      )}

      {operation.bill.length > 0 && <MaterialPanel plant={plant} ctx={ctx} consumptions={step.consumptions} />}

      {operation.characteristics.length > 0 && (
        <section className="panel" aria-labelledby="inspection-heading">
          <h2 id="inspection-heading">Inspection</h2>
          {operation.characteristics.map((characteristic) => (
            <CharacteristicEntry
              key={characteristic.id}
              plant={plant}
              ctx={ctx}
              characteristic={characteristic}
              results={step.measurements.get(characteristic.id) ?? []}
            />
          ))}
        </section>
      )}
    </main>
  );
}
