/**
 * The queue as an operator and an inspector read it (issue 12 item 11), at 1280×800 and 800×1280:
 * each work order says whether it is held (with the hold's id), how many units are ready now at
 * this work center, and work ready now comes first, which the screen says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from './harness.ts';
import { startStack } from './harness.ts';
import { openStation } from './pages/station.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.close();
});

describe('queue', () => {
  it('marks holds and work ready now, ready work first', async () => {
    const { page, station } = await openStation(stack, 'Mill queue tablet', 'WC-MILL');
    const { setup, shell, queue } = station;
    await station.signInAs('B-1001');
    await queue.heading.waitFor();
    await page.getByText('Work ready now at WC-MILL first, then soonest due.').waitFor();

    const row = (id: string) => page.getByRole('row').filter({ has: queue.workOrderLink(id) });
    // WO-1003: SN-1003-02 is held by the seeded hold; its other two units are ready at the mill.
    await row('WO-1003').filter({ hasText: 'On hold H-SEED-1' }).waitFor();
    expect(await row('WO-1003').innerText()).toMatch(/Ready now[\s\S]*3 with work here, 2 ready now/i);
    expect(await row('WO-1001').innerText()).toMatch(/3 with work here, 3 ready now/);
    expect(await row('WO-1001').innerText()).not.toMatch(/On hold/i);
    await stack.screenshot(page, 'queue-01-mill');
    await shell.signOut();

    // At the inspection lab nothing is ready yet: no row says so, and the screen still orders by due date.
    await station.signInAs('B-3001');
    await shell.nav('Change work center').click();
    await setup.chooseWorkCenter('WC-INSP');
    await page.setViewportSize({ width: 800, height: 1280 });
    await page.getByRole('heading', { name: /^Queue at WC-INSP/ }).waitFor();
    await row('WO-1001').filter({ hasText: '3 with work here, 0 ready now' }).waitFor();
    expect(await page.getByRole('table').getByText('Ready now', { exact: true }).count()).toBe(0);
    await stack.screenshot(page, 'queue-02-inspection-portrait');
  });
});
