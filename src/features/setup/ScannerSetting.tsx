import { useState } from 'react';
import { useStation } from '../../app/station-context.ts';
import { DEFAULT_WEDGE_OPTIONS } from '../../scan/wedge.ts';
import { Button, Field } from '../../ui/index.ts';

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
      className="setting"
      aria-label="Scanner"
      onSubmit={(event) => {
        event.preventDefault();
        if (!gapValid || !gsValid) return;
        void updateConfig({ ...config, scanner: { maxGapMs: gapMs, gsSubstitute: gs } }).then(() => setMessage('Scanner settings saved'));
      }}
    >
      <h2>Scanner</h2>
      <Field
        label="Scanner keystroke gap"
        hint={`Longest gap between the keystrokes of one scan, 5 to ${MAX_GAP_MS}`}
        units="ms"
        error={gapValid ? null : `Enter whole milliseconds from 5 to ${MAX_GAP_MS}`}
      >
        {(control) => <input {...control} inputMode="numeric" value={gap} onChange={(event) => setGap(event.target.value)} />}
      </Field>
      <Field
        label="Character the scanners send for GS"
        hint="Empty for none"
        error={gsValid ? null : 'Use one punctuation character that never appears in your identifiers, such as | or ~'}
      >
        {(control) => <input {...control} value={gs} maxLength={1} onChange={(event) => setGs(event.target.value)} />}
      </Field>
      <Button type="submit" disabledReason={gapValid && gsValid ? null : 'Correct the settings above first'}>
        Save scanner settings
      </Button>
      {message !== null && (
        <p role="status" className="ui-message ui-message-success setting-saved">
          {message}
        </p>
      )}
    </form>
  );
}
