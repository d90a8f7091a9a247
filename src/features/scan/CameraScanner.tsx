import { useEffect, useRef, useState } from 'react';
import './scan-feedback.css';

/**
 * "Scan with camera": opens the camera under the button and hands each symbol read to `onScan`
 * (with its AIM symbology identifier, as a wedge scanner would send it). The camera is released when
 * the operator closes it or leaves the screen.
 */
export function CameraScanner({ onScan }: { onScan: (text: string) => void }) {
  const [open, setOpen] = useState(false);
  return (
    <div className="camera-scanner">
      <button type="button" className="button" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        {open ? 'Close camera' : 'Scan with camera'}
      </button>
      {open && <CameraView onScan={onScan} />}
    </div>
  );
}

function CameraView({ onScan }: { onScan: (text: string) => void }) {
  const video = useRef<HTMLVideoElement>(null);
  const handler = useRef(onScan);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    handler.current = onScan;
  });
  useEffect(() => {
    const element = video.current;
    if (element === null) return;
    let stop: (() => void) | null = null;
    let closed = false;
    // zxing (most of a megabyte) loads when a camera is first opened, not with the app; the service
    // worker precaches its chunk with the others, so a station offline can still open its camera.
    import('../../scan/camera.ts')
      .then(({ startCameraScan }) => startCameraScan(element, (text) => handler.current(text)))
      .then(
        (scan) => {
          if (closed) scan.stop();
          else stop = () => scan.stop();
        },
        (reason: unknown) => {
          if (!closed) setError(`The camera cannot be used: ${reason instanceof Error ? reason.message : String(reason)}`);
        },
      );
    return () => {
      closed = true;
      stop?.();
    };
  }, []);
  return (
    <div>
      <video ref={video} muted playsInline aria-label="Camera view" />
      {error !== null && (
        <div role="alert" className="refusal">
          {error}
        </div>
      )}
    </div>
  );
}
