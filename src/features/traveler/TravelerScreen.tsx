import { Link, useParams } from 'react-router';
import type { Hold } from '../../../schemas/hold.ts';
import { formatDateTime, stepPath } from '../../app/format.ts';
import { usePlant, useStation } from '../../app/station-context.ts';
import { unitLabel } from '../../domain/plant.ts';
import { activeHoldsOn, stepOf, travelerOf, travelerRows } from '../../domain/traveler.ts';
import { shippedWords } from '../../domain/genealogy.ts';
import { shipProblem, shipmentsOf } from '../../domain/shipping.ts';
import type { StepStatus } from '../../domain/traveler.ts';
import { HoldBanner } from './HoldBanner.tsx';
import { personName } from './names.ts';

export const STATUS_TEXT: Record<StepStatus, string> = {
  'not-started': 'Not started',
  'in-progress': 'In progress',
  complete: 'Complete',
};

/**
 * The traveler: the routing's operations in sequence, and per unit who did each and when. The rework,
 * repair and re-inspection operations an NCR inserted show, by name, before the operation it stopped.
 * The last row says where each unit went: shipped to whom, when and under which shipment.
 */
export function TravelerScreen() {
  const { workOrderId = '' } = useParams();
  const { rt, config } = useStation();
  const plant = usePlant(rt);
  const traveler = travelerOf(plant, workOrderId);

  if (!traveler.ok) {
    return (
      <main className="screen">
        <h1>Traveler {workOrderId}</h1>
        <div role="alert" className="refusal">
          {traveler.message}
        </div>
        <Link to="/" className="button">
          Back to the queue
        </Link>
      </main>
    );
  }

  const { workOrder } = traveler.value;
  const rows = travelerRows(plant, traveler.value);
  const part = plant.parts.get(workOrder.partNumber);
  const holds = new Map<string, Hold>();
  for (const unit of workOrder.units) for (const hold of activeHoldsOn(plant, workOrder.id, unit)) holds.set(hold.holdId, hold);

  return (
    <main className="screen">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/">Queue</Link> › {workOrder.id}
      </nav>
      <h1>Traveler {workOrder.id}</h1>
      <dl className="facts">
        <div>
          <dt>Part</dt>
          <dd>
            {workOrder.partNumber}
            {part !== undefined && <span className="muted"> {part.description}</span>}
          </dd>
        </div>
        <div>
          <dt>Rev</dt>
          <dd>{workOrder.partRevision}</dd>
        </div>
        <div>
          <dt>Quantity</dt>
          <dd>
            {workOrder.quantity} {workOrder.tracking === 'lot' ? '(lot)' : '(serialized)'}
          </dd>
        </div>
        <div>
          <dt>Program</dt>
          <dd>{workOrder.program}</dd>
        </div>
        <div>
          <dt>Due</dt>
          <dd>{workOrder.dueDate}</dd>
        </div>
      </dl>
      <HoldBanner plant={plant} holds={[...holds.values()]} />
      <div className="table-scroll">
        <table className="table traveler">
          <thead>
            <tr>
              <th scope="col">Operation</th>
              {workOrder.units.map((unit) => (
                <th scope="col" key={unitLabel(unit)}>
                  {unitLabel(unit)}
                  {activeHoldsOn(plant, workOrder.id, unit).length > 0 && <span className="hold-tag">ON HOLD</span>}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map(({ operation, inserted, units }) => (
              <tr key={operation.id} className={[operation.workCenterId === config.workCenterId ? 'here' : '', inserted === undefined ? '' : 'inserted'].join(' ').trim() || undefined}>
                <th scope="row" className="op-cell">
                  <div className="op-title">{inserted === undefined ? `${operation.id} ${operation.name}` : operation.name}</div>
                  <div className="small">
                    {operation.instruction.ref} rev {operation.instruction.revision} · {operation.workCenterId}
                    {operation.workCenterId === config.workCenterId && <span className="here-tag"> this work center</span>}
                  </div>
                </th>
                {workOrder.units.map((unit) => {
                  if (!units.some((u) => unitLabel(u) === unitLabel(unit))) {
                    return (
                      <td key={unitLabel(unit)} className="muted">
                        —
                      </td>
                    );
                  }
                  const step = stepOf(plant, workOrder.id, unit, operation);
                  const mark = step.record.completed ?? step.record.started;
                  return (
                    <td key={unitLabel(unit)}>
                      <Link to={stepPath(workOrder.id, unit, operation.id)} className={`step-link ${step.status}`}>
                        <span className="visually-hidden">
                          {inserted === undefined ? operation.id : operation.name} on {unitLabel(unit)}:{' '}
                        </span>
                        <span className="step-status">{STATUS_TEXT[step.status]}</span>
                        {mark !== undefined && (
                          <span className="small step-who">
                            {' '}
                            {personName(plant, mark.actor)}, {formatDateTime(mark.at)}
                          </span>
                        )}
                      </Link>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" className="op-cell">
                <div className="op-title">Shipped</div>
              </th>
              {workOrder.units.map((unit) => {
                const shipped = shipmentsOf(plant, unit);
                const ready = unit.kind === 'serial' && shipped.length === 0 && shipProblem(plant, workOrder, unit, 1) === null;
                return (
                  <td key={unitLabel(unit)} data-testid={`shipped-${unitLabel(unit)}`}>
                    {shipped.length > 0 ? (
                      <span className="small">{shippedWords({ ref: unit, shipped })}</span>
                    ) : ready ? (
                      <Link to={`/shipping?unit=${encodeURIComponent(unitLabel(unit))}`}>Ready to ship</Link>
                    ) : (
                      <span className="muted">Not shipped</span>
                    )}
                  </td>
                );
              })}
            </tr>
          </tfoot>
        </table>
      </div>
    </main>
  );
}
