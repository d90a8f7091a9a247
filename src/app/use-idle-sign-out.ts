import { useEffect, useRef } from 'react';

/** How often the idle timer looks at the clock. */
const CHECK_EVERY_MS = 5_000;

/**
 * Signs the person out after `minutes` without a pointer or key event anywhere on the page, so a
 * station left alone does not keep recording under their name.
 */
export function useIdleSignOut(active: boolean, minutes: number, onIdle: () => void): void {
  const onIdleRef = useRef(onIdle);
  useEffect(() => {
    onIdleRef.current = onIdle;
  });

  useEffect(() => {
    if (!active || !(minutes > 0)) return;
    let last = Date.now();
    const touch = () => {
      last = Date.now();
    };
    const kinds = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;
    for (const kind of kinds) window.addEventListener(kind, touch, { capture: true, passive: true });
    const timer = window.setInterval(() => {
      if (Date.now() - last >= minutes * 60_000) onIdleRef.current();
    }, Math.min(CHECK_EVERY_MS, minutes * 60_000));
    return () => {
      window.clearInterval(timer);
      for (const kind of kinds) window.removeEventListener(kind, touch, { capture: true });
    };
  }, [active, minutes]);
}
