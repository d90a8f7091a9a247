/**
 * Marks on the page's performance timeline for the steps of a station's start (`travelog:` and the
 * step), so bench/cold-start.ts can say where a cold start's time goes. Only in a page: tests open
 * databases in Node, whose timeline would keep every mark.
 */
export function startMark(step: string, detail?: Record<string, string>): void {
  if (typeof window === 'undefined' || typeof performance === 'undefined' || typeof performance.mark !== 'function') return;
  performance.mark(`travelog:${step}`, detail === undefined ? undefined : { detail });
}
