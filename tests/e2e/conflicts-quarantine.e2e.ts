/**
 * Quarantine (S9): an event the server refuses as malformed is kept raw with its reason, and the
 * quality role reads it, with the sending station's name, on any station; operators do not get the
 * screen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from './harness.ts';
import { startStack } from './harness.ts';
import { QuarantinePage } from './pages/quarantine-page.ts';
import { SetupPage } from './pages/setup-page.ts';
import { Shell } from './pages/shell.ts';
import { SignInPage } from './pages/sign-in-page.ts';
import { PROTOCOL_VERSION } from '../../schemas/protocol-version.ts';
import { testKey } from '../helpers/signing.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.close();
});

/** Another station, driven over HTTP, pushes a completion without its unit: refused, kept in quarantine. */
async function pushMalformedEvent(url: string): Promise<string> {
  const enrolled = await fetch(`${url}/api/stations/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ protocolVersion: PROTOCOL_VERSION, stationName: 'Lathe tablet', supervisorBadge: 'B-3001', pin: '9999', publicKey: testKey().publicKey, keyAlg: 'Ed25519' }),
  });
  const { stationId, credential } = (await enrolled.json()) as { stationId: string; credential: string };
  const eventId = '01930000-0000-7000-8000-00000000e2e1';
  const event = {
    id: eventId,
    type: 'op.completed',
    stationId,
    seq: 1,
    actor: 'B-1001',
    deviceTime: new Date().toISOString(),
    hlc: `${Date.now()}:0:${stationId}`,
    payload: { workOrderId: 'WO-1003', operationId: 'OP10', instructionRevision: 'D' },
    // Refused for its payload before any signature is checked.
    prevHash: '0'.repeat(64),
    signature: 'not-checked-before-the-schema',
  };
  const pushed = await fetch(`${url}/api/sync/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
    body: JSON.stringify({ protocolVersion: PROTOCOL_VERSION, stationId, sentAt: new Date().toISOString(), events: [event] }),
  });
  expect(pushed.status).toBe(400);
  return eventId;
}

describe('quarantine', () => {
  it('[S9] shows quality a refused record with its reason and the record as it arrived', async () => {
    const { page } = await stack.newStation();
    const shell = new Shell(page);
    await page.goto('/');
    await new SetupPage(page).enroll('Inspection tablet', 'B-3001', '9999');
    await new SetupPage(page).chooseWorkCenter('WC-INSP');

    const eventId = await pushMalformedEvent(stack.server.url);

    await new SignInPage(page).signIn('B-2001', '2468');
    await shell.expectSignedIn('Ines Park');
    expect(await shell.nav('Quarantine').count()).toBe(0);
    await shell.signOut();

    await new SignInPage(page).signIn('B-4001', '4321');
    await shell.expectSignedIn('Quinn Lee');
    await shell.nav('Quarantine').click();
    const quarantine = new QuarantinePage(page);
    await quarantine.heading.waitFor();
    const entry = quarantine.entry(eventId);
    await entry.waitFor();
    expect(await entry.innerText()).toMatch(/unit/);
    await entry.filter({ hasText: /Station\s*Lathe tablet/ }).waitFor();
    const raw = await quarantine.showRaw(entry);
    expect(await raw.innerText()).toContain('"workOrderId": "WO-1003"');
    await stack.screenshot(page, '23-quarantine');
  });
});
