import type { Locator, Page } from 'playwright-core';

/** The audit trail of a serial: look-up, the checkpoint's verdict, one card per entry. */
export class AuditPage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { name: 'Audit trail', level: 1 });
  }

  async show(serial: string): Promise<void> {
    await this.page.getByRole('textbox', { name: 'Serial' }).fill(serial);
    await this.page.getByRole('button', { name: 'Show trail' }).click();
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
