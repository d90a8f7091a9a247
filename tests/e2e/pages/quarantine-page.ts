import type { Locator, Page } from 'playwright-core';

/** The quality role's list of records the server refused. */
export class QuarantinePage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { name: 'Quarantine', exact: true });
  }

  /** The quarantined records whose card mentions `text`. */
  entry(text: string | RegExp): Locator {
    return this.page.getByRole('list', { name: 'Quarantined records' }).getByRole('listitem').filter({ hasText: text });
  }

  /** Opens the record as the server received it, pretty-printed. */
  async showRaw(entry: Locator): Promise<Locator> {
    await entry.getByText('Record as received').click();
    return entry.locator('pre');
  }
}
