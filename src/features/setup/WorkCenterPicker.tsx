import { usePlant } from '../../app/station-context.ts';
import type { StationRuntime } from '../../station/runtime.ts';

/** The plant's work centers as large buttons; the station remembers the one chosen. */
export function WorkCenterPicker({
  rt,
  current,
  onChoose,
  onRetryPull,
}: {
  rt: StationRuntime;
  current: string;
  onChoose: (workCenterId: string) => void;
  onRetryPull?: () => void;
}) {
  const plant = usePlant(rt);
  const workCenters = [...plant.workCenters.values()].sort((a, b) => a.id.localeCompare(b.id));

  if (workCenters.length === 0) {
    return (
      <div className="notice">
        <p>Fetching the plant's work centers from the server…</p>
        {onRetryPull !== undefined && (
          <button type="button" className="button" onClick={() => onRetryPull()}>
            Try again
          </button>
        )}
      </div>
    );
  }

  return (
    <ul className="choice-list" aria-label="Work centers">
      {workCenters.map((wc) => (
        <li key={wc.id}>
          <button
            type="button"
            className={`button choice ${wc.id === current ? 'current' : ''}`}
            aria-current={wc.id === current ? 'true' : undefined}
            onClick={() => onChoose(wc.id)}
          >
            <span className="choice-id">{wc.id}</span> <span className="choice-name">{wc.name}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}
