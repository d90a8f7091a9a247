import { useRef } from 'react';
import { Link, useParams } from 'react-router';
import { formatDateTime, travelerPath, unitFromParam } from '../../app/format.ts';
import { usePlant, useSession, useStation } from '../../app/station-context.ts';
import { unitLabel } from '../../domain/plant.ts';
import { findInserted } from '../../domain/rework.ts';
import { activeHoldsOn, checkComplete, checkStart, resolveStep, stepOf } from '../../domain/traveler.ts';
import type { ActionResult, StepTarget } from '../../station/actions.ts';
import { completeOperation, consumeMaterial, startOperation, stepRequest } from '../../station/actions.ts';
import { Button, MessageArea, OutcomeProvider, useOutcome } from '../../ui/index.ts';
import { CharacteristicEntry } from '../inspection/CharacteristicEntry.tsx';
import { NcrPanel } from '../ncr/NcrPanel.tsx';
import { useWedgeScan } from '../scan/use-wedge-scan.ts';
import { HoldBanner } from './HoldBanner.tsx';
import { MaterialPanel } from './MaterialPanel.tsx';
import { StepAttention } from './StepAttention.tsx';
import { personName } from './names.ts';
import { STATUS_TEXT } from './TravelerScreen.tsx';

/**
 * One operation on one unit: start it, scan its material in, record its inspection, sign it off.
 * Every action on the screen (start, complete, a scan) reports to one message area kept in view,
 * so the newest outcome is the one message shown.
 */
export function StepScreen() {
  return (
    <OutcomeProvider>
      <StepScreenBody />
    </OutcomeProvider>
  );
}

function StepScreenBody() {
  const params = useParams();
  const workOrderId = params['workOrderId'] ?? '';
  const operationId = params['operationId'] ?? '';
  const unit = unitFromParam(params['unit'] ?? '');
  const { rt } = useStation();
  const { session } = useSession();
  const plant = usePlant(rt);
  const { show } = useOutcome();
  const busy = useRef(false);

  const resolved = unit === null ? null : resolveStep(plant, workOrderId, unit, operationId);
  const ctx = resolved?.ok === true ? resolved.value : null;

  const stepTarget: StepTarget | null = ctx === null ? null : { workOrderId: ctx.workOrder.id, unit: ctx.unit, operationId: ctx.operation.id };

  const act = async (run: () => Promise<ActionResult>, done: string) => {
    if (busy.current) return;
    busy.current = true;
    try {
      const result = await run();
      show(result.ok ? { kind: 'success', message: done } : { kind: 'refusal', message: result.message });
    } catch (error) {
      show({ kind: 'refusal', message: `Not recorded: ${error instanceof Error ? error.message : String(error)}` });
    } finally {
      busy.current = false;
    }
  };

  // Scans on a step without a bill still get an answer: the domain says this step takes no material.
  useWedgeScan((scanned) => {
    if (stepTarget === null) return;
    void act(() => consumeMaterial(rt, session, { ...stepTarget, scanned }), `${scanned.trim()} built in`);
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
  // A rework, repair or re-inspection an NCR inserted is named by what it is.
  const inserted = findInserted(plant, workOrder.id, ctx.unit, operation.id);
  // What the station would say to each action now: the possible one is primary, an impossible one says why.
  const canStart = checkStart(plant, stepRequest(rt, session, stepTarget));
  const canComplete = checkComplete(plant, stepRequest(rt, session, stepTarget));

  return (
    <main className="screen">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/">Queue</Link> › <Link to={travelerPath(workOrder.id)}>{workOrder.id}</Link> › {label} › {operation.id}
      </nav>
      <h1>
        {inserted === undefined ? `${operation.id} ${operation.name}` : operation.name} <span className="muted">on {label}</span>
      </h1>
      <MessageArea />
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
      <StepAttention target={stepTarget} />
      <NcrPanel workOrderId={workOrder.id} operationId={operation.id} unit={ctx.unit} act={act} />

      <div className="actions">
        <Button
          big
          variant={canStart.ok ? 'primary' : 'secondary'}
          disabledReason={canStart.ok ? null : canStart.message}
          onClick={() => void act(() => startOperation(rt, session, stepTarget), `${operation.id} started on ${label}`)}
        >
          Start operation
        </Button>
        <Button
          big
          variant={canComplete.ok ? 'primary' : 'secondary'}
          disabledReason={canComplete.ok ? null : canComplete.message}
          onClick={() => void act(() => completeOperation(rt, session, stepTarget), `${operation.id} complete on ${label}`)}
        >
          Complete operation
        </Button>
      </div>

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
