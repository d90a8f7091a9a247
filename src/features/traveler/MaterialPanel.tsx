import { useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { formatDateTime } from '../../app/format.ts';
import { useSession, useStation } from '../../app/station-context.ts';
import type { ConsumeRequest } from '../../domain/material.ts';
import type { ConsumptionRecord, PlantState } from '../../domain/plant.ts';
import type { StepContext } from '../../domain/traveler.ts';
import { consumedByPart, outstandingMaterial, requiredQuantity } from '../../domain/traveler.ts';
import { parseScan } from '../../scan/parse.ts';
import { describeExpected, resolveScan } from '../../scan/resolve.ts';
import { consumeMaterial } from '../../station/actions.ts';
import { CameraScanner } from '../scan/CameraScanner.tsx';
import { scanFeedback } from '../scan/feedback.ts';
import { materialIdentifiers, stationParseOptions } from '../scan/scan-options.ts';
import { useWedgeScan } from '../scan/use-wedge-scan.ts';
import { Button, Field, useOutcome } from '../../ui/index.ts';
import { personName } from './names.ts';

/**
 * The operation's bill and what is still to be built in. A scan anywhere on the step screen lands
 * here; the domain says exactly why a scan is refused (wrong part, on hold, not enough left), in the
 * step screen's message area, replacing whatever it said before.
 */
export function MaterialPanel({ plant, ctx, consumptions }: { plant: PlantState; ctx: StepContext; consumptions: readonly ConsumptionRecord[] }) {
  const { rt, config } = useStation();
  const { session } = useSession();
  const [typed, setTyped] = useState('');
  const { show } = useOutcome();
  const busy = useRef(false);
  const outstanding = outstandingMaterial(plant, ctx);
  const consumed = consumedByPart(consumptions);

  function refuse(message: string) {
    show({ kind: 'refusal', message });
    scanFeedback('refused');
  }

  async function consume(scanned: string) {
    const text = scanned.trim();
    if (text === '' || busy.current) return;
    // Whatever the label (plain, GS1, ISO/IEC 15434, UII), the parser says which serial or lot it names.
    const parsed = parseScan(text, stationParseOptions(plant, config.scanner));
    if (!parsed.ok) {
      refuse(`Not a readable label: ${parsed.error}`);
      return;
    }
    const identifiers = materialIdentifiers(parsed);
    if (identifiers !== undefined && identifiers.serial === undefined && identifiers.lot === undefined) {
      const resolution = resolveScan(plant, parsed, ['serial', 'lot']);
      refuse(resolution.ok ? `Expected ${describeExpected(['serial', 'lot'])}; the label names none` : resolution.error);
      return;
    }
    const shown = identifiers?.serial ?? identifiers?.lot ?? text;
    busy.current = true;
    try {
      // The raw scan is recorded as is; the identifiers say what it named.
      const request: ConsumeRequest = {
        workOrderId: ctx.workOrder.id,
        unit: ctx.unit,
        operationId: ctx.operation.id,
        scanned: text,
        ...(identifiers === undefined ? {} : { identifiers }),
      };
      const result = await consumeMaterial(rt, session, request);
      if (result.ok) {
        show({ kind: 'success', message: `${shown} built in` });
        setTyped('');
        scanFeedback('accepted');
      } else {
        refuse(result.message);
      }
    } catch (error) {
      refuse(`Not recorded: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      busy.current = false;
    }
  }

  useWedgeScan((scanned) => void consume(scanned));

  function submit(event: FormEvent) {
    event.preventDefault();
    void consume(typed);
  }

  return (
    <section className="panel" aria-labelledby="material-heading">
      <h2 id="material-heading">Material</h2>
      <table className="table bill">
        <thead>
          <tr>
            <th scope="col">Part</th>
            <th scope="col">Required</th>
            <th scope="col">Built in</th>
            <th scope="col">Outstanding</th>
          </tr>
        </thead>
        <tbody>
          {ctx.operation.bill.map((line) => {
            const left = outstanding.get(line.partNumber) ?? 0;
            const part = plant.parts.get(line.partNumber);
            return (
              <tr key={line.partNumber}>
                <th scope="row">
                  {line.partNumber}
                  {part !== undefined && <div className="muted small">{part.description} ({part.tracking})</div>}
                </th>
                <td>{requiredQuantity(ctx.workOrder, line.quantityPer)}</td>
                <td>{consumed.get(line.partNumber) ?? 0}</td>
                <td className={left > 0 ? 'outstanding' : 'satisfied'}>{left > 0 ? left : 'none ✓'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <form className="inline-form" onSubmit={submit}>
        <Field label="Scan serial or lot" hint="Scan, or type and press Enter">
          {(control) => <input {...control} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />}
        </Field>
        <Button type="submit">Add material</Button>
      </form>
      <CameraScanner onScan={(scanned) => void consume(scanned)} />
      {consumptions.length > 0 && (
        <table className="table consumed" aria-label="Material built in">
          <thead>
            <tr>
              <th scope="col">Serial / lot</th>
              <th scope="col">Part</th>
              <th scope="col">Quantity</th>
              <th scope="col">By</th>
              <th scope="col">When</th>
            </tr>
          </thead>
          <tbody>
            {consumptions.map((c) => (
              <tr key={c.eventId}>
                <td>{c.material.kind === 'lot' ? `lot ${c.material.lotId}` : `serial ${c.material.serial}`}</td>
                <td>{c.material.partNumber}</td>
                <td>{c.material.kind === 'lot' ? c.material.quantity : 1}</td>
                <td>{personName(plant, c.actor)}</td>
                <td>{formatDateTime(c.at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
