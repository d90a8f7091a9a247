import { useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import type { LengthUnit } from '../../../schemas/common.ts';
import type { Characteristic } from '../../../schemas/routing.ts';
import { formatDateTime } from '../../app/format.ts';
import { useSession, useStation } from '../../app/station-context.ts';
import type { MeasurementInput } from '../../domain/inspection.ts';
import { describeLimits, liveVerdict, unitChoices, unitName } from '../../domain/inspection.ts';
import type { MeasurementRecord, PlantState } from '../../domain/plant.ts';
import { holdIdForMeasurement, ncrIdForMeasurement, unitLabel } from '../../domain/plant.ts';
import { shortHoldId, shortNcrId } from '../../domain/short-id.ts';
import type { StepContext } from '../../domain/traveler.ts';
import { activeHoldsOn } from '../../domain/traveler.ts';
import { recordMeasurement } from '../../station/actions.ts';
import { Button, Field, useOutcome } from '../../ui/index.ts';
import { personName } from '../traveler/names.ts';
import './inspection.css';

/** PASS in green or FAIL in red, always with the word: colour is never the only signal. */
export function Verdict({ result }: { result: 'pass' | 'fail' }) {
  return <strong className={`verdict ${result}`}>{result === 'pass' ? 'PASS' : 'FAIL'}</strong>;
}

/** Up to five significant digits, without trailing zeros: 12.75, 12.713, 0.50197. */
function shown(value: number): string {
  return String(Number(value.toPrecision(5)));
}

/** A recorded or typed value in words: "0.5005 in = 12.713 mm", or "12.71 mm" in the own unit. */
function describeValue(measured: MeasurementRecord['event']['payload']['measured']): string {
  if (measured.kind === 'attribute') return measured.verdict === 'pass' ? 'pass' : 'fail';
  const entered = `${measured.entered.text} ${unitName(measured.entered.unit)}`;
  return measured.entered.unit === measured.unit ? entered : `${entered} = ${shown(measured.value)} ${unitName(measured.unit)}`;
}

/**
 * One characteristic of the drawing: its limits, a value checked against them as it is typed
 * (or pass/fail for an attribute), the gauge, and the results already recorded.
 */
export function CharacteristicEntry({
  plant,
  ctx,
  characteristic,
  results,
}: {
  plant: PlantState;
  ctx: StepContext;
  characteristic: Characteristic;
  results: readonly MeasurementRecord[];
}) {
  const { rt } = useStation();
  const { session } = useSession();
  const id = useId();
  const ownUnit: LengthUnit = characteristic.unit ?? 'mm';
  const [text, setText] = useState('');
  const [unit, setUnit] = useState<LengthUnit>(ownUnit);
  const [verdict, setVerdict] = useState<'pass' | 'fail' | null>(null);
  const [gauge, setGauge] = useState('');
  // The screen's one message area (src/ui): what was recorded, or why not, replaces what was there.
  const { show } = useOutcome();
  const busy = useRef(false);

  const variable = characteristic.kind === 'variable';
  const input: MeasurementInput = variable ? { kind: 'variable', text, unit } : { kind: 'attribute', verdict };
  const live = liveVerdict(characteristic, input);
  const holds = activeHoldsOn(plant, ctx.workOrder.id, ctx.unit);

  async function record(event: FormEvent) {
    event.preventDefault();
    if (busy.current) return;
    busy.current = true;
    try {
      const result = await recordMeasurement(rt, session, {
        workOrderId: ctx.workOrder.id,
        unit: ctx.unit,
        operationId: ctx.operation.id,
        characteristicId: characteristic.id,
        input,
        gaugeId: gauge,
      });
      if (!result.ok) {
        show({ kind: 'refusal', message: result.message });
        return;
      }
      setText('');
      setVerdict(null);
      // The next value is read in the characteristic's own unit again: a unit chosen for one reading
      // does not silently carry over to the next.
      setUnit(ownUnit);
      const recorded = result.event;
      if (recorded.type === 'measurement.recorded') {
        const what = `Recorded ${characteristic.id} ${characteristic.name}: ${describeValue(recorded.payload.measured)}`;
        // A failing result holds the unit and opens an NCR, both named by the measurement.
        const consequence = `${unitLabel(ctx.unit)} is now ON HOLD ${shortHoldId(holdIdForMeasurement(recorded.id))}; NCR ${shortNcrId(ncrIdForMeasurement(recorded.id), recorded.deviceTime)} opened.`;
        show({ kind: 'success', message: recorded.payload.result === 'pass' ? `${what} PASS` : `${what} FAIL. ${consequence}` });
      }
    } catch (error) {
      show({ kind: 'refusal', message: `Not recorded: ${error instanceof Error ? error.message : String(error)}` });
    } finally {
      busy.current = false;
    }
  }

  const headingId = `${id}-heading`;
  const liveId = `${id}-live`;

  return (
    <section className="characteristic" aria-labelledby={headingId}>
      <h3 id={headingId}>
        {characteristic.id} {characteristic.name}
      </h3>
      <p className="limits">
        <span className="muted">Limits</span> <strong>{describeLimits(characteristic)}</strong>
        {variable && (
          <>
            {' '}
            <span className="muted">· unit</span> <strong>{unitName(ownUnit)}</strong>
          </>
        )}
        {characteristic.method !== undefined && <span className="muted"> · {characteristic.method}</span>}
      </p>
      {holds.length > 0 && (
        <div className="held-unit" data-testid="held-unit" role="note">
          {holds.map((hold) => (
            <p key={hold.holdId}>
              <strong className="hold-word">ON HOLD</strong> {unitLabel(ctx.unit)} is on hold{' '}
              <strong title={hold.holdId}>{shortHoldId(hold.holdId)}</strong>: {hold.reason}
            </p>
          ))}
          <p className="small">Results are still recorded, as evidence; the hold stays until released.</p>
        </div>
      )}
      <form className="measure-form" onSubmit={(event) => void record(event)} noValidate>
        {variable ? (
          <div className="measure-row">
            <Field
              label="Value"
              className="value-field"
              units={
                <select aria-label="Unit" value={unit} onChange={(e) => setUnit(e.target.value as LengthUnit)}>
                  {unitChoices(ownUnit).map((u) => (
                    <option key={u} value={u}>
                      {unitName(u)}
                    </option>
                  ))}
                </select>
              }
            >
              {(control) => (
                <input
                  {...control}
                  value={text}
                  onChange={(e) => setText(e.target.value)}
                  inputMode="decimal"
                  autoComplete="off"
                  aria-describedby={liveId}
                  aria-invalid={live.kind === 'invalid'}
                />
              )}
            </Field>
          </div>
        ) : (
          <div role="group" aria-label="Result" className="toggle-group">
            <button type="button" className={`button toggle pass ${verdict === 'pass' ? 'on' : ''}`} aria-pressed={verdict === 'pass'} onClick={() => setVerdict('pass')}>
              Pass
            </button>
            <button type="button" className={`button toggle fail ${verdict === 'fail' ? 'on' : ''}`} aria-pressed={verdict === 'fail'} onClick={() => setVerdict('fail')}>
              Fail
            </button>
          </div>
        )}
        <div id={liveId} className="live" aria-live="polite" data-testid="live-verdict">
          {live.kind === 'judged' && (
            <>
              {live.measured.kind === 'variable' && live.measured.entered.unit !== live.measured.unit && (
                <span className="converted">{describeValue(live.measured)} </span>
              )}
              <Verdict result={live.result} />
            </>
          )}
          {live.kind === 'incomplete' && <span className="muted">{live.message}</span>}
          {live.kind === 'invalid' && <span className="invalid">{live.message}</span>}
        </div>
        <Field
          className="gauge-field"
          label={
            <>
              Gauge id{characteristic.gaugeRequired && <strong className="required"> (required)</strong>}
            </>
          }
        >
          {(control) => <input {...control} value={gauge} onChange={(e) => setGauge(e.target.value)} autoComplete="off" aria-required={characteristic.gaugeRequired} />}
        </Field>
        <Button type="submit" variant="primary">
          Record
        </Button>
      </form>
      {results.length > 0 && (
        <table className="table results" aria-label={`Results for ${characteristic.name}`}>
          <thead>
            <tr>
              <th scope="col">Result</th>
              <th scope="col">Value</th>
              <th scope="col">Entered</th>
              <th scope="col">Gauge</th>
              <th scope="col">By</th>
              <th scope="col">When</th>
            </tr>
          </thead>
          <tbody>
            {newestFirst(results).map((r) => {
              const measured = r.event.payload.measured;
              return (
                <tr key={r.eventId}>
                  <td>
                    <Verdict result={r.result} />
                  </td>
                  <td>{measured.kind === 'variable' ? `${shown(measured.value)} ${unitName(measured.unit)}` : measured.verdict}</td>
                  <td>{measured.kind === 'variable' ? `${measured.entered.text} ${unitName(measured.entered.unit)}` : '—'}</td>
                  <td>{r.event.payload.gaugeId ?? '—'}</td>
                  <td>{personName(plant, r.actor)}</td>
                  <td>{formatDateTime(r.at)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Results newest first: the one just recorded is the first row, where the eye already is. */
function newestFirst(results: readonly MeasurementRecord[]): MeasurementRecord[] {
  return [...results].reverse();
}
