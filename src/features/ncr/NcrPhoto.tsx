import { useEffect, useState } from 'react';
import type { PhotoRef } from '../../../schemas/attachment.ts';
import { useStation } from '../../app/station-context.ts';
import type { StoredAttachment } from '../../db/attachments.ts';
import { ApiFailure } from '../../sync/transport.ts';
import { photoHash } from '../../db/attachments.ts';
import { usePhotoUrl } from './PhotoCapture.tsx';

type Shown =
  | { kind: 'loading' }
  | { kind: 'here'; data: Uint8Array; state: 'waiting' | 'uploaded' | 'refused'; refused?: string }
  | { kind: 'fetched'; data: Uint8Array }
  | { kind: 'missing'; why: string };

/**
 * An NCR's photo, named by the hash its signed record carries: from this station when it took it
 * (with whether it still waits to sync), else from the server, checked against the hash.
 */
export function NcrPhoto({ photo, label }: { photo: PhotoRef; label: string }) {
  const { rt, config } = useStation();
  const [shown, setShown] = useState<Shown>({ kind: 'loading' });

  useEffect(() => {
    let alive = true;
    const fromStation = (found: StoredAttachment): Shown => ({
      kind: 'here',
      data: found.data,
      state: found.uploadedAt !== undefined ? 'uploaded' : found.refused !== undefined ? 'refused' : 'waiting',
      ...(found.refused === undefined ? {} : { refused: found.refused }),
    });
    const load = async (): Promise<Shown> => {
      const found = await rt.attachments.get(photo.sha256);
      if (found !== undefined) return fromStation(found);
      if (rt.transport.getBytes === undefined) return { kind: 'missing', why: 'Photo not on this station' };
      try {
        const { bytes } = await rt.transport.getBytes(`/api/attachments/${photo.sha256}`, config.credential);
        if (photoHash(bytes) !== photo.sha256) return { kind: 'missing', why: 'The photo the server sent does not match the signed record; it is not shown' };
        return { kind: 'fetched', data: bytes };
      } catch (e) {
        if (e instanceof ApiFailure && e.status === 404) return { kind: 'missing', why: 'Photo not on the server yet: the station that took it has not sent it' };
        return { kind: 'missing', why: 'Photo not on this station; it shows when the server can be reached' };
      }
    };
    const refresh = () => {
      void load().then(
        (next) => alive && setShown(next),
        () => alive && setShown({ kind: 'missing', why: 'The photo could not be read' }),
      );
    };
    refresh();
    const stop = rt.attachments.subscribe(refresh);
    return () => {
      alive = false;
      stop();
    };
  }, [rt, config.credential, photo.sha256]);

  const data = shown.kind === 'here' || shown.kind === 'fetched' ? shown.data : null;
  const url = usePhotoUrl(data, photo.mediaType);
  return (
    <figure className="ncr-photo" aria-label={`Photo of ${label}`}>
      {url !== null && <img src={url} alt={`Photo of ${label}`} className="ncr-photo-thumb" />}
      <figcaption className="small">
        {shown.kind === 'loading' && 'Photo…'}
        {shown.kind === 'here' && shown.state === 'waiting' && 'Photo waiting to sync'}
        {shown.kind === 'here' && shown.state === 'uploaded' && 'Photo, on the server'}
        {shown.kind === 'here' && shown.state === 'refused' && `Photo kept on this station; the server refused it: ${shown.refused ?? ''}`}
        {shown.kind === 'fetched' && 'Photo, from the server'}
        {shown.kind === 'missing' && shown.why}
        <span className="ncr-photo-hash" title={photo.sha256}>
          {' '}· SHA-256 {photo.sha256.slice(0, 12)}…
        </span>
      </figcaption>
    </figure>
  );
}
