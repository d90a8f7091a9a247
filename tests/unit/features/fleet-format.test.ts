/** How the Stations screen words a station's last seen time and a station's id (docs/sync-spec.md S24). */
import { describe, expect, it } from 'vitest';
import { formatAgo, formatTimeOrDate } from '../../../src/app/format.ts';
import { shortStationId } from '../../../src/domain/short-id.ts';
import { silentStations } from '../../../src/features/stations/use-silent-stations.ts';
import type { StationListResponse } from '../../../schemas/stations.ts';

describe('fleet wording', () => {
  it('says how long ago in minutes, hours and days', () => {
    expect(formatAgo(0)).toBe('just now');
    expect(formatAgo(59_999)).toBe('just now');
    expect(formatAgo(3 * 60_000 + 5_000)).toBe('3 min ago');
    expect(formatAgo(2 * 3_600_000)).toBe('2 h ago');
    expect(formatAgo(2 * 3_600_000 + 5 * 60_000)).toBe('2 h 5 min ago');
    expect(formatAgo(3 * 86_400_000 + 1)).toBe('3 d ago');
    // A server clock ahead of the station's never reads as the future.
    expect(formatAgo(-5_000)).toBe('just now');
  });

  it('gives the time alone for today and the date with it otherwise', () => {
    const now = new Date(2026, 11, 3, 14, 0);
    expect(formatTimeOrDate(new Date(2026, 11, 3, 9, 5), now)).toBe('09:05');
    expect(formatTimeOrDate(new Date(2026, 11, 2, 9, 5), now)).toBe('2026-12-02 09:05');
  });

  it('shows a station by a short id, never its UUID', () => {
    expect(shortStationId('0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b')).toBe('S-Q3YJJV');
  });

  it('[S24] counts the active stations the server flags silent with pending events', () => {
    const station = (id: string, silentWithPending: boolean, revokedAt: string | null = null) => ({
      id, name: id, enrolledBy: 'B-3001', enrolledAt: '2026-12-03T08:00:00.000Z', revokedAt, keyAlg: null, programs: [], otherPrograms: 0,
      fleet: { lastSeenAt: '2026-12-03T08:00:00.000Z', report: null, silentWithPending },
    });
    const list: StationListResponse = { self: 'a', clearable: [], stations: [station('a', false), station('b', true), station('c', true, '2026-12-03T09:00:00.000Z'), { ...station('d', false), fleet: undefined as never }] };
    expect(silentStations(list)).toBe(1);
  });
});
