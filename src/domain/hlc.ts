/**
 * Hybrid logical clock (Kulkarni et al.): wall time in ms plus a counter, so that a station's events
 * stay ordered even when its clock steps back, and stay close to real time. Formatted so that string
 * order is clock order.
 */
export interface Hlc {
  wall: number;
  counter: number;
  node: string;
}

/** The clock for an event recorded now on this node: never behind the previous one. */
export function tickHlc(previous: Hlc | null, nowMs: number, node: string): Hlc {
  if (previous === null || nowMs > previous.wall) return { wall: nowMs, counter: 0, node };
  return { wall: previous.wall, counter: previous.counter + 1, node };
}

/** The clock after seeing a remote clock (a server answer), so local events order after it. */
export function receiveHlc(local: Hlc | null, remote: Hlc, nowMs: number, node: string): Hlc {
  const localWall = local?.wall ?? 0;
  const wall = Math.max(localWall, remote.wall, nowMs);
  let counter = 0;
  if (wall === localWall && wall === remote.wall) counter = Math.max(local?.counter ?? 0, remote.counter) + 1;
  else if (wall === localWall) counter = (local?.counter ?? 0) + 1;
  else if (wall === remote.wall) counter = remote.counter + 1;
  return { wall, counter, node };
}

export function formatHlc(hlc: Hlc): string {
  return `${hlc.wall.toString().padStart(15, '0')}:${hlc.counter.toString().padStart(6, '0')}:${hlc.node}`;
}

export function parseHlc(text: string): Hlc | null {
  const match = /^(\d{15}):(\d{6}):(.+)$/.exec(text);
  if (match === null) return null;
  return { wall: Number(match[1]), counter: Number(match[2]), node: match[3] ?? '' };
}
