/**
 * Scanning with the device camera: the browser's own BarcodeDetector where it has one, otherwise
 * `@zxing/browser` running the reader and hints of `decode.ts`. `stop()` releases the camera (every
 * track stopped), and the screen calls it when it closes. Needs a camera, so it is not covered by the
 * end-to-end tests; `decode.ts` and the labels round trip test the decoding itself.
 */
import { BrowserMultiFormatReader } from '@zxing/browser';
import { scanHints, symbologyOfDetector, symbologyOfZxing, withSymbologyId } from './decode.ts';

export interface CameraScan {
  /** Stops decoding and releases the camera. Safe to call more than once. */
  stop(): void;
}

/** The Shape Detection API, where the browser has it (Chrome on Android, ChromeOS, macOS). */
interface BarcodeDetectorLike {
  detect(source: CanvasImageSource): Promise<Array<{ rawValue: string; format: string }>>;
}
interface BarcodeDetectorConstructor {
  new (options?: { formats: string[] }): BarcodeDetectorLike;
  getSupportedFormats(): Promise<string[]>;
}

const DETECTOR_FORMATS = ['data_matrix', 'qr_code', 'code_128', 'code_39', 'ean_13', 'ean_8', 'upc_a', 'itf', 'pdf417', 'aztec'];

/** The same symbol seen again within this time is one scan, not many. */
const REPEAT_MS = 2000;

const CONSTRAINTS: MediaStreamConstraints = { video: { facingMode: { ideal: 'environment' } }, audio: false };

function nativeDetector(): BarcodeDetectorConstructor | undefined {
  return (globalThis as unknown as { BarcodeDetector?: BarcodeDetectorConstructor }).BarcodeDetector;
}

/** Keeps the same text from firing twice in a row while it stays in view. */
function deduplicate(onScan: (text: string) => void, now: () => number): (text: string) => void {
  let last = '';
  let lastAt = -Infinity;
  return (text) => {
    const at = now();
    if (text === last && at - lastAt < REPEAT_MS) {
      lastAt = at;
      return;
    }
    last = text;
    lastAt = at;
    onScan(text);
  };
}

/** Starts the camera into `video` and hands each symbol read to `onScan`, with its AIM identifier. */
export async function startCameraScan(video: HTMLVideoElement, onScan: (text: string) => void): Promise<CameraScan> {
  const emit = deduplicate(onScan, () => performance.now());
  const Detector = nativeDetector();
  if (Detector !== undefined) {
    const supported = await Detector.getSupportedFormats().catch(() => [] as string[]);
    const formats = DETECTOR_FORMATS.filter((f) => supported.includes(f));
    if (formats.length > 0) return startNative(new Detector({ formats }), video, emit);
  }
  const reader = new BrowserMultiFormatReader(scanHints(), { delayBetweenScanAttempts: 150 });
  const controls = await reader.decodeFromConstraints(CONSTRAINTS, video, (result) => {
    if (result !== undefined) emit(withSymbologyId(result.getText(), symbologyOfZxing(result.getBarcodeFormat())));
  });
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      controls.stop();
      releaseVideo(video);
    },
  };
}

function releaseVideo(video: HTMLVideoElement): void {
  const stream = video.srcObject;
  if (stream instanceof MediaStream) for (const track of stream.getTracks()) track.stop();
  video.srcObject = null;
}

async function startNative(detector: BarcodeDetectorLike, video: HTMLVideoElement, emit: (text: string) => void): Promise<CameraScan> {
  const stream = await navigator.mediaDevices.getUserMedia(CONSTRAINTS);
  let stopped = false;
  let timer: number | undefined;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    if (timer !== undefined) window.clearTimeout(timer);
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  };
  video.srcObject = stream;
  try {
    await video.play();
  } catch (error) {
    stop();
    throw error;
  }
  const tick = async () => {
    if (stopped) return;
    try {
      const codes = await detector.detect(video);
      const code = codes[0];
      if (code !== undefined && !stopped) emit(withSymbologyId(code.rawValue, symbologyOfDetector(code.format)));
    } catch {
      // A frame that cannot be read (camera still starting): try the next one.
    }
    if (!stopped) timer = window.setTimeout(() => void tick(), 150);
  };
  void tick();
  return { stop };
}
