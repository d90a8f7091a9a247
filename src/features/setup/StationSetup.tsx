import { useState } from 'react';
import type { FormEvent } from 'react';
import type { StationConfig } from '../../db/settings.ts';
import { enrollStation } from '../../sync/enroll.ts';
import { ApiFailure, createFetchTransport } from '../../sync/transport.ts';
import type { StationRuntime } from '../../station/runtime.ts';

/**
 * First run: a supervisor enrolls the station with badge and PIN. The only screen that needs the
 * network, once; everything after works offline.
 */
export function StationSetup({ rt, onEnrolled }: { rt: StationRuntime; onEnrolled: (config: StationConfig) => void }) {
  const [stationName, setStationName] = useState('');
  const [badge, setBadge] = useState('');
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    setError(null);
    setBusy(true);
    try {
      const config = await enrollStation(rt.db, createFetchTransport(location.origin), {
        stationName: stationName.trim(),
        supervisorBadge: badge.trim(),
        pin,
      }, rt.keys);
      onEnrolled(config);
    } catch (caught) {
      setPin('');
      if (caught instanceof ApiFailure) setError(caught.message);
      else setError('The server could not be reached. Enrolling a station needs the network once; check the cable or Wi-Fi and try again.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="screen narrow">
      <h1>Set up this station</h1>
      <p>A supervisor enrolls the station once. After that it works with or without the network.</p>
      <form className="form" onSubmit={(event) => void submit(event)}>
        <label className="field">
          <span>Station name</span>
          <input value={stationName} onChange={(e) => setStationName(e.target.value)} required maxLength={80} placeholder="e.g. Mill 1 tablet" />
        </label>
        <label className="field">
          <span>Supervisor badge</span>
          <input value={badge} onChange={(e) => setBadge(e.target.value)} required autoComplete="off" autoCapitalize="characters" />
        </label>
        <label className="field">
          <span>Supervisor PIN</span>
          <input type="password" inputMode="numeric" value={pin} onChange={(e) => setPin(e.target.value)} required autoComplete="off" />
        </label>
        {error !== null && (
          <div role="alert" className="refusal">
            {error}
          </div>
        )}
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Enrolling…' : 'Enroll station'}
        </button>
      </form>
    </main>
  );
}
