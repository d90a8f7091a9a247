import type { Locator, Page } from 'playwright-core';

export class HoldsPage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { name: 'Holds', exact: true });
  }

  row(subject: string): Locator {
    return this.page.getByRole('row').filter({ hasText: subject });
  }

  get dialog(): Locator {
    return this.page.getByRole('dialog');
  }

  /** Releases the hold on `subject` under an electronic signature (badge and PIN again). */
  async release(subject: string, reason: string, badge: string, pin: string): Promise<void> {
    await this.row(subject).getByRole('button', { name: /^Release/ }).click();
    const dialog = this.dialog;
    await dialog.waitFor();
    await dialog.getByRole('textbox', { name: 'Reason for release' }).fill(reason);
    await dialog.getByRole('textbox', { name: 'Badge' }).fill(badge);
    await dialog.getByLabel('PIN').fill(pin);
    await dialog.getByRole('button', { name: 'Sign and release' }).click();
  }

  get manifestation(): Locator {
    return this.page.getByRole('status');
  }
}
