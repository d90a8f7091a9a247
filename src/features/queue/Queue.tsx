import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { travelerPath } from '../../app/format.ts';
import { usePlant, useStation } from '../../app/station-context.ts';
import type { PlantState } from '../../domain/plant.ts';
import { localDate, orderQueue, queueMarks } from '../../domain/queue.ts';
import { shortHoldId } from '../../domain/short-id.ts';
import { queueFor } from '../../domain/traveler.ts';
import { Badge } from '../../ui/index.ts';
import { parseScan } from '../../scan/parse.ts';
import { resolveScan } from '../../scan/resolve.ts';
import { scanFeedback } from '../scan/feedback.ts';
import type { ParseOptions } from '../../scan/parse.ts';
import { stationParseOptions } from '../scan/scan-options.ts';
import { useWedgeScan } from '../scan/use-wedge-scan.ts';

/** Finds the work order a scanned or typed identifier names: the order itself, or one of its units. */
function workOrderFor(plant: PlantState, identifier: string, options: ParseOptions): { ok: true; id: string } | { ok: false; error: string } {
  const text = identifier.trim();
  const parsed = parseScan(text, options);
  const resolution = resolveScan(plant, parsed, ['traveler', 'serial', 'lot']);
  if (!resolution.ok) {
    const plain = parsed.ok && parsed.dataType === 'text';
    // A plain identifier nobody knows gets the short answer; a label says what it named.
    const unknown = plain && resolution.error.endsWith('which this station does not know');
    return { ok: false, error: unknown ? `${text} is not a work order, serial or lot known on this station` : resolution.error };
  }
  if (resolution.kind === 'traveler') return { ok: true, id: resolution.id };
  if (resolution.kind === 'serial') {
    const workOrderId = resolution.serial.workOrderId;
    return workOrderId === undefined ? { ok: false, error: `Serial ${resolution.id} is material in stock, not a unit of a work order` } : { ok: true, id: workOrderId };
  }
  for (const workOrder of plant.workOrders.values()) {
    if (workOrder.units.some((u) => u.kind === 'lot' && u.lotId === resolution.id)) return { ok: true, id: workOrder.id };
  }
  return { ok: false, error: `Lot ${resolution.id} is material in stock, not a unit of a work order` };
}

/** The work center's queue, soonest due first; a traveler (or a unit's label) scanned anywhere opens it. */
export function Queue() {
  const { rt, config } = useStation();
  const plant = usePlant(rt);
  const navigate = useNavigate();
  const [lookup, setLookup] = useState('');
  const [error, setError] = useState<string | null>(null);
  const today = localDate(rt.now());
  const rows = orderQueue(queueFor(plant, config.workCenterId).map((traveler) => ({ traveler, marks: queueMarks(plant, traveler, config.workCenterId, today) })));
  const workCenter = plant.workCenters.get(config.workCenterId);

  function open(identifier: string) {
    const found = workOrderFor(plant, identifier, stationParseOptions(plant, config.scanner));
    if (!found.ok) {
      setError(found.error);
      scanFeedback('refused');
      return;
    }
    scanFeedback('accepted');
    void navigate(travelerPath(found.id));
  }

  useWedgeScan(open);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (lookup.trim() !== '') open(lookup);
  }

  return (
    <main className="screen">
      <h1>
        Queue at {config.workCenterId}
        {workCenter !== undefined && <span className="muted"> {workCenter.name}</span>}
      </h1>
      <form className="inline-form" onSubmit={submit} aria-label="Open a traveler">
        <label className="field">
          <span>Work order, serial or lot</span>
          <input value={lookup} onChange={(e) => setLookup(e.target.value)} autoComplete="off" placeholder="Scan a traveler or type WO-…" />
        </label>
        <button type="submit" className="button">
          Open traveler
        </button>
        <Link to="/labels" className="button">
          Print labels
        </Link>
      </form>
      {error !== null && (
        <div role="alert" className="refusal">
          {error}
        </div>
      )}
      {rows.length > 0 && <p className="muted">Work ready now at {config.workCenterId} first, then soonest due.</p>}
      {rows.length === 0 ? (
        <p className="notice">{plant.workOrders.size === 0 ? 'No work orders on this station yet; they arrive with the next pull.' : 'Nothing left to do at this work center.'}</p>
      ) : (
        <table className="table queue">
          <thead>
            <tr>
              <th scope="col">Work order</th>
              <th scope="col">Part / rev</th>
              <th scope="col">Program</th>
              <th scope="col">Due</th>
              <th scope="col">Units</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ traveler: { workOrder }, marks }) => {
              const part = plant.parts.get(workOrder.partNumber);
              return (
                <tr key={workOrder.id} onClick={() => void navigate(travelerPath(workOrder.id))} className="clickable">
                  <th scope="row">
                    <Link to={travelerPath(workOrder.id)} className="row-link">
                      {workOrder.id}
                    </Link>
                    <div className="queue-marks">
                      {marks.holds.length > 0 && (
                        <Badge tone="hold">
                          On hold {marks.holds.map((hold) => shortHoldId(hold.holdId)).join(', ')}
                        </Badge>
                      )}
                      {marks.ready > 0 && <Badge tone="pass">Ready now</Badge>}
                    </div>
                  </th>
                  <td>
                    {workOrder.partNumber} rev {workOrder.partRevision}
                    {part !== undefined && <div className="muted small">{part.description}</div>}
                  </td>
                  <td>{workOrder.program}</td>
                  <td>
                    {workOrder.dueDate}
                    {marks.overdue && (
                      <div>
                        <Badge tone="fail">Overdue</Badge>
                      </div>
                    )}
                  </td>
                  <td>
                    {workOrder.tracking === 'lot' ? `lot of ${workOrder.quantity}` : `${workOrder.quantity}`}
                    <div className="muted small">
                      {marks.waiting} with work here, {marks.ready} ready now
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </main>
  );
}
