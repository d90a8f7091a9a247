/**
 * A conflict's description on the supervisor's screen: the server's words with times in local time
 * and known badges and station ids by name; everything else as written.
 */
import { describe, expect, it } from 'vitest';
import { formatDateTime } from '../../../src/app/format.ts';
import { readableDescription } from '../../../src/features/conflicts/describe.ts';

const known = new Map([
  ['B-1001', 'Ana Ortiz'],
  ['B-1005', 'Eli Novak'],
  ['B-1', 'Short Badge'],
  ['0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', 'Mill B'],
]);
const name = (token: string) => known.get(token);

describe('readableDescription', () => {
  it('[C1] names the badges and shows the time as the station reads times', () => {
    const at = '2026-11-22T07:41:44.801Z';
    expect(readableDescription(`OP10 on SN-1002-01 was already completed by B-1001 at ${at}; this second completion by B-1005 is kept as evidence only`, name)).toBe(
      `OP10 on SN-1002-01 was already completed by Ana Ortiz at ${formatDateTime(at)}; this second completion by Eli Novak is kept as evidence only`,
    );
  });

  it('[C10] names a station by its id', () => {
    expect(readableDescription('Station 0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b sent event 12 but events 9–11 have not arrived', name)).toBe(
      'Station Mill B sent event 12 but events 9–11 have not arrived',
    );
  });

  it('[C11] converts times with an offset or without fractions, and leaves what it does not know', () => {
    const device = '2026-11-22T06:40:00+01:00';
    const server = '2026-11-22T07:41:00Z';
    expect(readableDescription(`Station clock behind the server by about 61 min: device time ${device}, server received ${server}`, name)).toBe(
      `Station clock behind the server by about 61 min: device time ${formatDateTime(device)}, server received ${formatDateTime(server)}`,
    );
  });

  it('replaces whole identifiers only, never a part of one', () => {
    expect(readableDescription('B-1001x, B-10, xB-1 and B-1', name)).toBe('B-1001x, B-10, xB-1 and Short Badge');
    expect(readableDescription('unit SN-B-1 of lot L-B-1001', name)).toBe('unit SN-B-1 of lot L-B-1001');
  });

  it('leaves a text without times or known names as it is', () => {
    const text = 'Release of HOLD-7 leaves HOLD-8, HOLD-9 in force (void: wrong unit)';
    expect(readableDescription(text, name)).toBe(text);
  });
});
