import { useState } from 'react';
import { useStation } from '../../app/station-context.ts';
import { DEFAULT_WEDGE_OPTIONS } from '../../scan/wedge.ts';

/** Slowest keystroke gap a supervisor may set: beyond it a fast typist would pass for a scanner. */
const MAX_GAP_MS = 80;

/**
 * A supervisor sets how this station's keyboard-wedge scanners type: the longest gap between the
 * keystrokes of one scan, and the character they send in place of GS, if they are set up to.
 */
export function ScannerSetting() {
  const { config, updateConfig } = useStation();
  const [gap, setGap] = useState(String(config.scanner?.maxGapMs ?? DEFAULT_WEDGE_OPTIONS.maxGapMs));
  const [gs, setGs] = useState(config.scanner?.gsSubstitute ?? '');
  const [message, setMessage] = useState<string | null>(null);
  const gapMs = Number(gap);
  const gapValid = /^\d+$/.test(gap) && gapMs >= 5 && gapMs <= MAX_GAP_MS;
  const gsValid = gs.length <= 1 && !/[\w\s-]/.test(gs);
  return (
    <form
      className="idle-setting"
      aria-label="Scanner"
      onSubmit={(event) => {
        event.preventDefault();
        if (!gapValid || !gsValid) return;
        void updateConfig({ ...config, scanner: { maxGapMs: gapMs, gsSubstitute: gs } }).then(() => setMessage('Scanner settings saved'));
      }}
    >
      <label>
        Scanner keystroke gap (ms)
        <input inputMode="numeric" value={gap} onChange={(event) => setGap(event.target.value)} aria-invalid={!gapValid} />
      </label>
      {!gapValid && <p role="alert">Enter whole milliseconds from 5 to {MAX_GAP_MS}</p>}
      <label>
        Character the scanners send for GS (empty for none)
        <input value={gs} maxLength={1} onChange={(event) => setGs(event.target.value)} aria-invalid={!gsValid} />
      </label>
      {!gsValid && <p role="alert">Use one punctuation character that never appears in your identifiers, such as | or ~</p>}
      <button type="submit" className="button" disabled={!gapValid || !gsValid}>
        Save scanner settings
      </button>
      {message !== null && <p role="status">{message}</p>}
    </form>
  );
}
