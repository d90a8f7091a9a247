import { useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import type { LengthUnit } from '../../../schemas/common.ts';
import type { Characteristic } from '../../../schemas/routing.ts';
import { formatDateTime } from '../../app/format.ts';
import { useSession, useStation } from '../../app/station-context.ts';
import type { MeasurementInput } from '../../domain/inspection.ts';
import { describeLimits, evaluateMeasurement } from '../../domain/inspection.ts';
import type { MeasurementRecord, PlantState } from '../../domain/plant.ts';
import { holdIdForMeasurement, ncrIdForMeasurement, unitLabel } from '../../domain/plant.ts';
import type { StepContext } from '../../domain/traveler.ts';
import { recordMeasurement } from '../../station/actions.ts';
import { personName } from '../traveler/names.ts';

const UNITS: readonly LengthUnit[] = ['mm', 'in'];

/** PASS in green or FAIL in red, always with the word: colour is never the only signal. */
export function Verdict({ result }: { result: 'pass' | 'fail' }) {
  return <strong className={`verdict ${result}`}>{result === 'pass' ? 'PASS' : 'FAIL'}</strong>;
}

/** Up to six significant digits, without trailing zeros: 12.75, 0.50197. */
function shown(value: number): string {
  return String(Number(value.toPrecision(6)));
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
  const [refusal, setRefusal] = useState<string | null>(null);
  const [recordedFail, setRecordedFail] = useState<string | null>(null);
  const busy = useRef(false);

  const variable = characteristic.kind === 'variable';
  const input: MeasurementInput = variable ? { kind: 'variable', text, unit } : { kind: 'attribute', verdict };
  const typedSomething = variable ? text.trim() !== '' : verdict !== null;
  const live = typedSomething ? evaluateMeasurement(characteristic, input) : null;

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
        setRefusal(result.message);
        return;
      }
      setRefusal(null);
      setText('');
      setVerdict(null);
      const recorded = result.event;
      setRecordedFail(recorded.type === 'measurement.recorded' && recorded.payload.result === 'fail' ? recorded.id : null);
    } catch (error) {
      setRefusal(`Not recorded: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      busy.current = false;
    }
  }

  const headingId = `${id}-heading`;
  const liveId = `${id}-live`;
  const failHold = recordedFail === null ? undefined : plant.holds.get(holdIdForMeasurement(recordedFail));
  const failNcr = recordedFail === null ? undefined : plant.nonconformances.get(ncrIdForMeasurement(recordedFail));

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
            <span className="muted">· unit</span> <strong>{ownUnit}</strong>
          </>
        )}
        {characteristic.method !== undefined && <span className="muted"> · {characteristic.method}</span>}
      </p>
      <form className="measure-form" onSubmit={(event) => void record(event)} noValidate>
        {variable ? (
          <div className="measure-row">
            <label className="field value-field">
              <span>Value</span>
              <input
                value={text}
                onChange={(e) => setText(e.target.value)}
                inputMode="decimal"
                autoComplete="off"
                aria-describedby={liveId}
                aria-invalid={live !== null && !live.ok}
              />
            </label>
            <label className="field unit-field">
              <span>Unit</span>
              <select value={unit} onChange={(e) => setUnit(e.target.value as LengthUnit)}>
                {UNITS.map((u) => (
                  <option key={u} value={u}>
                    {u}
                  </option>
                ))}
              </select>
            </label>
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
          {live !== null && live.ok && (
            <>
              <Verdict result={live.value.result} />
              {live.value.measured.kind === 'variable' && live.value.measured.unit !== unit && (
                <span className="converted">
                  {' '}
                  = {shown(live.value.measured.value)} {live.value.measured.unit}
                </span>
              )}
            </>
          )}
          {live !== null && !live.ok && <span className="invalid">{live.message}</span>}
        </div>
        <label className="field gauge-field">
          <span>
            Gauge id{characteristic.gaugeRequired && <strong className="required"> (required)</strong>}
          </span>
          <input value={gauge} onChange={(e) => setGauge(e.target.value)} autoComplete="off" aria-required={characteristic.gaugeRequired} />
        </label>
        <button type="submit" className="button primary">
          Record
        </button>
      </form>
      {refusal !== null && (
        <div role="alert" className="refusal">
          {refusal}
        </div>
      )}
      {recordedFail !== null && (
        <div className="hold-banner" data-testid="fail-consequence">
          <strong className="hold-word">ON HOLD</strong> {unitLabel(ctx.unit)} is now on hold
          {failHold !== undefined && <> (hold {failHold.holdId})</>}.
          {failNcr !== undefined && (
            <div>
              NCR draft <strong>{failNcr.ncrId}</strong> opened.
            </div>
          )}
        </div>
      )}
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
            {results.map((r) => {
              const measured = r.event.payload.measured;
              return (
                <tr key={r.eventId}>
                  <td>
                    <Verdict result={r.result} />
                  </td>
                  <td>{measured.kind === 'variable' ? `${shown(measured.value)} ${measured.unit}` : measured.verdict}</td>
                  <td>{measured.kind === 'variable' ? `${measured.entered.text} ${measured.entered.unit}` : '—'}</td>
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
