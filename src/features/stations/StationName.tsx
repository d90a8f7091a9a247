import { stationName, type StationNames } from './station-names.ts';

/**
 * A station as a supervisor reads it: its name, with its id after it in small type for a call to
 * plant IT; the id alone when this station has never learned the name.
 */
export function StationName({ names, stationId }: { names: StationNames; stationId: string }) {
  const name = stationName(names, stationId);
  if (name === stationId) return <>{stationId}</>;
  return (
    <>
      {name} <span className="muted small">{stationId}</span>
    </>
  );
}
