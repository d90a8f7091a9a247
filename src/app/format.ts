/** How times and identifiers read on the station: local time, 24-hour clock, no locale surprises. */
import type { HoldSubject, UnitRef } from '../../schemas/common.ts';

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-05-04 14:03" in the station's local time. */
export function formatDateTime(iso: string | Date): string {
  const at = typeof iso === 'string' ? new Date(iso) : iso;
  if (Number.isNaN(at.getTime())) return String(iso);
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/** "14:03:07" in the station's local time. */
export function formatClock(at: Date): string {
  return `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
}

/** "4 min 30 s" for a lockout or a countdown. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  if (minutes === 0) return `${rest} s`;
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}

/** A unit in a URL segment: `serial:SN-1001-01` or `lot:LOT-2001`. */
export function unitParam(unit: UnitRef): string {
  return unit.kind === 'serial' ? `serial:${unit.serial}` : `lot:${unit.lotId}`;
}

export function unitFromParam(param: string): UnitRef | null {
  const [kind, ...rest] = param.split(':');
  const id = rest.join(':');
  if (id === '') return null;
  if (kind === 'serial') return { kind: 'serial', serial: id };
  if (kind === 'lot') return { kind: 'lot', lotId: id };
  return null;
}

/** "serial SN-1003-02", "lot L-920-Q", "work order WO-1001", as a hold names what it stops. */
export function describeSubject(subject: HoldSubject): string {
  if (subject.kind === 'serial') return `serial ${subject.serial}`;
  if (subject.kind === 'lot') return `lot ${subject.lotId}`;
  return `work order ${subject.workOrderId}`;
}

export function travelerPath(workOrderId: string): string {
  return `/work-orders/${encodeURIComponent(workOrderId)}`;
}

export function stepPath(workOrderId: string, unit: UnitRef, operationId: string): string {
  return `${travelerPath(workOrderId)}/units/${encodeURIComponent(unitParam(unit))}/operations/${encodeURIComponent(operationId)}`;
}

/** A signature's date and time as the signer and an auditor read it: seconds and the UTC offset included. */
export function formatSignedAt(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const offset = -at.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '−';
  const zone = `UTC${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return `${formatDateTime(at)}:${pad(at.getSeconds())} ${zone}`;
}

/** "just now", "3 min ago", "2 h 5 min ago", "4 d ago": how long ago something was, read at a glance. */
export function formatAgo(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h ago` : `${hours} h ${minutes % 60} min ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

/** "14:03" for a time today, "2026-05-04 14:03" for another day, in the station's local time. */
export function formatTimeOrDate(at: Date, now: Date): string {
  const sameDay = at.getFullYear() === now.getFullYear() && at.getMonth() === now.getMonth() && at.getDate() === now.getDate();
  return sameDay ? `${pad(at.getHours())}:${pad(at.getMinutes())}` : formatDateTime(at);
}
