/**
 * Feedback an operator notices at two metres, with gloves on and a machine running: two tones, a
 * full-screen colour flash and a vibration, each different for an accepted and a refused scan.
 */

export type ScanVerdict = 'accepted' | 'refused';

export interface FeedbackPattern {
  /** Tones played one after the other: frequency in Hz and duration in ms. */
  tones: ReadonlyArray<{ hz: number; ms: number }>;
  wave: OscillatorType;
  /** navigator.vibrate pattern, in ms. */
  vibrate: readonly number[];
  /** How long the screen flashes, in ms. */
  flashMs: number;
}

/** Rising and short for accepted; falling, longer and harsher for refused. */
export const FEEDBACK: Readonly<Record<ScanVerdict, FeedbackPattern>> = {
  accepted: { tones: [{ hz: 1046, ms: 90 }, { hz: 1568, ms: 120 }], wave: 'sine', vibrate: [80], flashMs: 350 },
  refused: { tones: [{ hz: 392, ms: 220 }, { hz: 262, ms: 320 }], wave: 'square', vibrate: [250, 120, 250], flashMs: 900 },
};

let audio: AudioContext | null = null;

/** One AudioContext for the page (browsers limit how many there may be). */
function audioContext(): AudioContext | null {
  if (audio !== null) return audio;
  const Context = (globalThis as unknown as { AudioContext?: typeof AudioContext }).AudioContext;
  if (Context === undefined) return null;
  audio = new Context();
  return audio;
}

function beep(pattern: FeedbackPattern): void {
  const context = audioContext();
  if (context === null) return;
  if (context.state === 'suspended') void context.resume().catch(() => undefined);
  let at = context.currentTime;
  for (const tone of pattern.tones) {
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.type = pattern.wave;
    oscillator.frequency.value = tone.hz;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.5, at + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + tone.ms / 1000);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(at);
    oscillator.stop(at + tone.ms / 1000 + 0.02);
    at += tone.ms / 1000 + 0.03;
  }
}

/**
 * Sounds, flashes and vibrates for a scan. The flash is `data-scan-flash` on `<body>` for a moment
 * (styled in features/scan/scan-feedback.css), so the colour covers the whole screen.
 */
export function signalScan(verdict: ScanVerdict): void {
  const pattern = FEEDBACK[verdict];
  try {
    beep(pattern);
  } catch {
    // No sound on this device; colour and vibration still tell.
  }
  if (typeof navigator !== 'undefined' && typeof navigator.vibrate === 'function') navigator.vibrate([...pattern.vibrate]);
  if (typeof document !== 'undefined') {
    const body = document.body;
    body.dataset['scanFlash'] = verdict;
    window.setTimeout(() => {
      if (body.dataset['scanFlash'] === verdict) delete body.dataset['scanFlash'];
    }, pattern.flashMs);
  }
}
