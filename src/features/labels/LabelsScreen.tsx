import { toSVG } from 'bwip-js/browser';
import { useMemo, useState } from 'react';
import { usePlant, useStation } from '../../app/station-context.ts';
import type { PlantState } from '../../domain/plant.ts';
import type { Label, LabelSubject } from '../../scan/labels.ts';
import { labelFor } from '../../scan/labels.ts';
import './labels.css';

const STOCK = 'stock';

/** The labels of a work order: its traveler and each unit (serial or lot). */
function workOrderLabels(plant: PlantState, workOrderId: string): Label[] {
  const workOrder = plant.workOrders.get(workOrderId);
  if (workOrder === undefined) return [];
  const part = plant.parts.get(workOrder.partNumber);
  const common = { partNumber: workOrder.partNumber, revision: workOrder.partRevision, ...(part === undefined ? {} : { description: part.description }) };
  const subjects: LabelSubject[] = [{ kind: 'traveler', workOrderId: workOrder.id, quantity: workOrder.quantity, ...common }];
  for (const unit of workOrder.units) {
    subjects.push(unit.kind === 'serial' ? { kind: 'serial', serial: unit.serial, workOrderId: workOrder.id, ...common } : { kind: 'lot', lotId: unit.lotId, ...common });
  }
  return subjects.map(labelFor);
}

/** Labels for material in stock: lots, and serials no work order of this plant builds. */
function stockLabels(plant: PlantState): Label[] {
  const subjects: LabelSubject[] = [];
  const describe = (partNumber: string) => {
    const part = plant.parts.get(partNumber);
    return part === undefined ? {} : { revision: part.revision, description: part.description };
  };
  for (const lot of plant.lots.values()) subjects.push({ kind: 'lot', lotId: lot.lotId, partNumber: lot.partNumber, quantity: lot.quantity, ...describe(lot.partNumber) });
  for (const serial of plant.serials.values()) {
    if (serial.workOrderId === undefined) subjects.push({ kind: 'serial', serial: serial.serial, partNumber: serial.partNumber, ...describe(serial.partNumber) });
  }
  return subjects.map(labelFor);
}

/** Printable labels with a Data Matrix (ISO/IEC 15434 format 06, or GS1 where a part has a GTIN). */
export function LabelsScreen() {
  const { rt } = useStation();
  const plant = usePlant(rt);
  const workOrders = [...plant.workOrders.keys()].sort();
  const [choice, setChoice] = useState(workOrders[0] ?? STOCK);
  const labels = useMemo(() => (choice === STOCK ? stockLabels(plant) : workOrderLabels(plant, choice)), [plant, choice]);

  return (
    <main className="screen">
      <h1>Labels</h1>
      <form className="inline-form" onSubmit={(event) => event.preventDefault()}>
        <label className="field">
          <span>Print labels for</span>
          <select value={choice} onChange={(event) => setChoice(event.target.value)}>
            {workOrders.map((id) => (
              <option key={id} value={id}>
                Work order {id}: traveler and units
              </option>
            ))}
            <option value={STOCK}>Material in stock: lots and component serials</option>
          </select>
        </label>
        <button type="button" className="button primary" onClick={() => window.print()} disabled={labels.length === 0}>
          Print
        </button>
      </form>
      {labels.length === 0 ? (
        <p className="notice">Nothing to label here yet.</p>
      ) : (
        <div className="label-sheet" aria-label="Labels">
          {labels.map((label) => (
            <LabelView key={label.title} label={label} />
          ))}
        </div>
      )}
    </main>
  );
}

function LabelView({ label }: { label: Label }) {
  const svg = useMemo(() => {
    try {
      return toSVG({ ...label.bwip, scale: 3, paddingwidth: 2, paddingheight: 2 });
    } catch {
      return null;
    }
  }, [label]);
  return (
    <article className="label" aria-label={label.title}>
      {svg === null ? (
        <div className="label-symbol refusal">No symbol</div>
      ) : (
        // bwip-js draws the symbol from our own identifiers; the SVG holds no user markup.
        <div className="label-symbol" role="img" aria-label={`Data Matrix for ${label.title}`} dangerouslySetInnerHTML={{ __html: svg }} />
      )}
      <div className="label-text">
        <h2>{label.title}</h2>
        <dl>
          {label.lines.map(([caption, value]) => (
            <div key={caption} style={{ display: 'contents' }}>
              <dt>{caption}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      </div>
    </article>
  );
}
