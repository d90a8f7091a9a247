import type { Locator, Page } from 'playwright-core';

/** The supervisor queue of conflicts and its signed resolution. */
export class ConflictsPage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { name: 'Conflicts', exact: true });
  }

  /** The open conflicts whose card mentions `text` (a flag's name, a work order, a serial). */
  open(text: string | RegExp): Locator {
    return this.page.getByRole('list', { name: 'Open conflicts' }).getByRole('listitem').filter({ hasText: text });
  }

  get dialog(): Locator {
    return this.page.getByRole('dialog');
  }

  /** Resolves the first open conflict matching `text` under an electronic signature (badge and PIN again). */
  async resolve(text: string | RegExp, action: 'Accept as recorded' | 'Void' | 'Open NCR', reason: string, badge: string, pin: string): Promise<void> {
    await this.open(text).first().getByRole('button', { name: new RegExp(`^${action}`) }).click();
    const dialog = this.dialog;
    await dialog.waitFor();
    await dialog.getByRole('textbox', { name: 'Reason' }).fill(reason);
    await dialog.getByRole('textbox', { name: 'Badge' }).fill(badge);
    await dialog.getByLabel('PIN').fill(pin);
    await dialog.getByRole('button', { name: 'Sign and resolve' }).click();
  }

  /** The signature shown after signing: printed name, date and time, meaning. */
  get manifestation(): Locator {
    return this.page.getByRole('status', { name: 'Signature' });
  }
}
