import { useEffect, useMemo, useRef, useState } from 'react';
import { Button, Field } from '../../ui/index.ts';
import type { TakenPhoto } from './photo.ts';
import { hasCamera, photoFromFile, photoFromVideo, startPhotoCamera } from './photo.ts';

/** An object URL for `data` while the component shows it, revoked after. */
export function usePhotoUrl(data: Uint8Array | null, mediaType: string): string | null {
  const url = useMemo(() => (data === null ? null : URL.createObjectURL(new Blob([data as Uint8Array<ArrayBuffer>], { type: mediaType }))), [data, mediaType]);
  useEffect(() => (url === null ? undefined : () => URL.revokeObjectURL(url)), [url]);
  return url;
}

const kilobytes = (bytes: number) => `${Math.max(1, Math.round(bytes / 1000))} kB`;

/**
 * The red tag's photo: the station's camera (a live view and *Capture photo*), or an image file
 * (on a tablet the file input opens its camera: `capture`), shown before the NCR is signed. Works
 * offline: nothing leaves the station here.
 */
export function PhotoCapture({ photo, onChange }: { photo: TakenPhoto | null; onChange: (photo: TakenPhoto | null) => void }) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const camera = useRef<{ stop(): void } | null>(null);
  const [live, setLive] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const preview = usePhotoUrl(photo?.data ?? null, photo?.ref.mediaType ?? 'image/jpeg');

  const closeCamera = () => {
    camera.current?.stop();
    camera.current = null;
    setLive(false);
  };

  // The camera starts once its view is on screen, and is released when the view closes (a photo
  // taken, *Close camera*, the red tag cancelled).
  useEffect(() => {
    if (!live) return;
    let cancelled = false;
    const video = videoRef.current;
    if (video === null) return;
    startPhotoCamera(video).then(
      (started) => {
        if (cancelled) started.stop();
        else camera.current = started;
      },
      (e: unknown) => {
        if (cancelled) return;
        setLive(false);
        setError(`The camera could not be opened (${e instanceof Error ? e.message : String(e)}). Choose a photo file instead.`);
      },
    );
    return () => {
      cancelled = true;
      camera.current?.stop();
      camera.current = null;
    };
  }, [live]);

  const openCamera = () => {
    setError(null);
    setLive(true);
  };

  const capture = async () => {
    if (videoRef.current === null) return;
    setBusy(true);
    try {
      onChange(await photoFromVideo(videoRef.current));
      closeCamera();
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const fromFile = async (file: File | undefined) => {
    if (file === undefined) return;
    setBusy(true);
    try {
      onChange(await photoFromFile(file));
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  if (photo !== null && preview !== null) {
    return (
      <div className="ncr-photo-taken">
        <img src={preview} alt="Photo for the NCR" className="ncr-photo-thumb" />
        <span>Photo, {kilobytes(photo.ref.bytes)}: kept with the NCR on this station, sent to the server when it can be</span>
        <Button onClick={() => onChange(null)}>Remove photo</Button>
      </div>
    );
  }
  return (
    <div className="ncr-photo-capture">
      {live && (
        <div className="ncr-photo-live">
          <video ref={videoRef} className="ncr-photo-video" aria-label="Camera" muted playsInline />
          <div className="actions">
            <Button variant="primary" busy={busy} onClick={() => void capture()}>
              Capture photo
            </Button>
            <Button onClick={closeCamera}>Close camera</Button>
          </div>
        </div>
      )}
      {!live && hasCamera() && (
        <Button busy={busy} onClick={openCamera}>
          Take photo
        </Button>
      )}
      <Field label="Photo from a file" hint="Or the tablet's camera; JPEG, PNG or WebP" error={error}>
        {(control) => <input {...control} type="file" accept="image/*" capture="environment" disabled={busy} onChange={(e) => void fromFile(e.target.files?.[0])} />}
      </Field>
    </div>
  );
}
