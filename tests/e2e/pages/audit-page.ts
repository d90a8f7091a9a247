import type { Locator, Page } from 'playwright-core';

/** The audit trail of a serial: look-up, the checkpoint's verdict, one card per entry. */
export class AuditPage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { name: 'Audit trail', level: 1 });
  }

  get search(): Locator {
    return this.page.getByRole('searchbox', { name: 'Serial, lot, work order or part' });
  }

  /** Looks up the trail of a serial, lot, work order or part, typed as given. */
  async show(what: string): Promise<void> {
    await this.search.fill(what);
    await this.page.getByRole('button', { name: 'Show trail' }).click();
  }

  /** The line naming what the trail was answered for ("Trail of serial SN-1001-03"). */
  get subjects(): Locator {
    return this.page.getByTestId('audit-subjects');
  }

  awaiting(entry: Locator): Locator {
    return entry.getByText('⧗ Awaiting checkpoint', { exact: true });
  }

  get entries(): Locator {
    return this.page.getByRole('list', { name: 'Audit entries' });
  }

  /** The entry whose heading starts with `what` ("Hold released", "Operation started: OP10"). */
  entry(what: string | RegExp): Locator {
    return this.entries.getByRole('listitem', { name: typeof what === 'string' ? new RegExp(`^${what}`) : what });
  }

  verified(entry: Locator): Locator {
    return entry.getByText('✓ Verified', { exact: true });
  }

  notVerified(entry: Locator): Locator {
    return entry.getByText(/^✗ Not verified/);
  }

  manifestation(entry: Locator): Locator {
    return entry.getByRole('region', { name: 'Signature manifestation' });
  }

  get checkpoint(): Locator {
    return this.page.getByTestId('audit-checkpoint');
  }
}

/**
 * The supervisor's list of enrolled stations and its revocation signature (src/features/stations).
 * Kept beside the audit page: a revocation is an audit entry, and this file is the audit pages' model.
 */
/** The labels of the programs dialog. */
export const PROGRAMS_LABELS = { reason: 'Reason for the change', submit: 'Sign and change programs' };

export class StationsPage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { name: 'Stations', level: 1 });
  }

  /** The row of the station named `name`. */
  row(name: string): Locator {
    return this.page.getByRole('table', { name: 'Enrolled stations' }).getByRole('row', { name });
  }

  get dialog(): Locator {
    return this.page.getByRole('dialog');
  }

  /** Opens the revocation of `name` and signs it (badge and PIN again, with a reason). */
  async revoke(name: string, reason: string, badge: string, pin: string): Promise<void> {
    await this.row(name).getByRole('button', { name: `Revoke ${name}` }).click();
    await this.sign(reason, badge, pin);
  }

  /** Fills and submits the open signature dialog (a revocation unless told otherwise). */
  async sign(reason: string, badge: string, pin: string, labels = { reason: 'Reason for revocation', submit: 'Sign and revoke' }): Promise<void> {
    const dialog = this.dialog;
    await dialog.waitFor();
    await dialog.getByRole('textbox', { name: labels.reason }).fill(reason);
    await dialog.getByRole('textbox', { name: 'Badge' }).fill(badge);
    await dialog.getByLabel('PIN').fill(pin);
    await dialog.getByRole('button', { name: labels.submit }).click();
  }

  /** Opens the programs of `name`, sets each program's box as `programs` says, and signs. */
  async changePrograms(name: string, programs: Record<string, boolean>, reason: string, badge: string, pin: string): Promise<void> {
    await this.row(name).getByRole('button', { name: `Change programs of ${name}` }).click();
    await this.dialog.waitFor();
    for (const [program, on] of Object.entries(programs)) await this.dialog.getByRole('checkbox', { name: program }).setChecked(on);
    await this.sign(reason, badge, pin, PROGRAMS_LABELS);
  }

  /** The recorded change of programs with its signature manifestation. */
  get programsRecorded(): Locator {
    return this.page.getByRole('region', { name: 'Programs change recorded' });
  }

  get refusal(): Locator {
    return this.dialog.getByRole('alert');
  }

  /** The recorded revocation with its signature manifestation. */
  get recorded(): Locator {
    return this.page.getByRole('region', { name: 'Revocation recorded' });
  }
}
