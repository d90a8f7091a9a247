import { useContext, useEffect, useRef } from 'react';
import type { WedgeOptions } from '../../scan/wedge.ts';
import { StationContext } from '../../app/station-context.ts';
import { attachWedge } from '../../scan/wedge.ts';

/**
 * Hands every keyboard-wedge scan on the page to `onScan`, wherever the focus is, while the
 * component is mounted (one screen listens at a time). Pass `enabled: false` to stop listening.
 */
export function useWedgeScan(onScan: (text: string) => void, enabled = true, options?: WedgeOptions): void {
  const handler = useRef(onScan);
  useEffect(() => {
    handler.current = onScan;
  });
  // The station's scanner settings, unless the caller overrides them.
  const scanner = useContext(StationContext)?.config.scanner;
  const maxGapMs = options?.maxGapMs ?? scanner?.maxGapMs;
  const minLength = options?.minLength;
  const gsSubstitute = options?.substitutes?.gsSubstitute ?? (scanner?.gsSubstitute === '' ? undefined : scanner?.gsSubstitute);
  useEffect(() => {
    if (!enabled) return;
    const wedgeOptions: WedgeOptions = {
      ...(maxGapMs === undefined ? {} : { maxGapMs }),
      ...(minLength === undefined ? {} : { minLength }),
      ...(gsSubstitute === undefined ? {} : { substitutes: { gsSubstitute } }),
    };
    return attachWedge(window, (text) => handler.current(text), wedgeOptions);
  }, [enabled, maxGapMs, minLength, gsSubstitute]);
}
