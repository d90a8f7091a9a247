import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { formatDuration } from '../../app/format.ts';
import { usePlant, useStation } from '../../app/station-context.ts';
import type { Session } from '../../station/session.ts';
import { signIn } from '../../station/session.ts';
import { parseScan } from '../../scan/parse.ts';
import { resolveScan } from '../../scan/resolve.ts';
import { scanFeedback } from '../scan/feedback.ts';
import { stationParseOptions } from '../scan/scan-options.ts';
import { useWedgeScan } from '../scan/use-wedge-scan.ts';
import { Button, Field } from '../../ui/index.ts';

/**
 * Badge then PIN, checked against the roster on this station (works offline); the badge in any
 * case, as people and scanners type it. A badge scanned anywhere on the page fills the badge field
 * and moves on to the PIN.
 */
export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const { rt, config } = useStation();
  const plant = usePlant(rt);
  const [badge, setBadge] = useState('');
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [lockedUntil, setLockedUntil] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const pinField = useRef<HTMLInputElement>(null);
  const workCenter = plant.workCenters.get(config.workCenterId);

  useWedgeScan((scanned) => {
    const parsed = parseScan(scanned, stationParseOptions(plant, config.scanner));
    const plain = parsed.ok && parsed.dataType === 'text' && parsed.elements.length === 1 && parsed.elements[0]?.di === undefined;
    if (!parsed.ok || (parsed.badge === undefined && !plain) || parsed.serial !== undefined || parsed.lot !== undefined || parsed.workOrder !== undefined) {
      // A label scanned by mistake at sign-in: say what it was, and leave the badge field alone.
      const resolution = resolveScan(plant, parsed, ['operator']);
      setError(resolution.ok ? null : resolution.error);
      scanFeedback('refused');
      return;
    }
    setBadge(parsed.badge ?? parsed.elements[0]?.value ?? scanned.trim());
    setPin('');
    setError(null);
    pinField.current?.focus();
  });

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const result = await signIn(rt, badge.trim(), pin);
      if (result.ok) {
        onSignedIn(result.session);
        return;
      }
      setPin('');
      setError(result.message);
      setLockedUntil(result.lockedForMs > 0 ? Date.now() + result.lockedForMs : null);
      pinField.current?.focus();
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="screen narrow">
      <h1>Sign in</h1>
      <p className="lead">
        {config.workCenterId}
        {workCenter !== undefined && ` ${workCenter.name}`} · {config.stationName}
      </p>
      {plant.operators.size === 0 && (
        <p className="notice">This station has no roster yet. It needs the network once to fetch it from the server.</p>
      )}
      <form className="form sign-in-form" onSubmit={(event) => void submit(event)}>
        <Field label="Badge">
          {(control) => (
            <input
              {...control}
              value={badge}
              onChange={(e) => setBadge(e.target.value)}
              required
              autoFocus
              autoComplete="off"
              autoCapitalize="characters"
              placeholder="Scan or type your badge"
            />
          )}
        </Field>
        <Field label="PIN">
          {(control) => (
            <input
              {...control}
              ref={pinField}
              type="password"
              inputMode="numeric"
              pattern="[0-9]*"
              value={pin}
              onChange={(e) => setPin(e.target.value)}
              required
              autoComplete="off"
            />
          )}
        </Field>
        {error !== null && (
          <div role="alert" className="ui-message ui-message-refusal">
            <span className="ui-message-text">
              {error}
              {lockedUntil !== null && <LockCountdown until={lockedUntil} />}
            </span>
          </div>
        )}
        <Button type="submit" variant="primary" big busy={busy}>
          Sign in
        </Button>
      </form>
    </main>
  );
}

function LockCountdown({ until }: { until: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  const left = until - now;
  return <div className="countdown">{left > 0 ? `Locked: try again in ${formatDuration(left)}` : 'The lock has ended: try again'}</div>;
}
