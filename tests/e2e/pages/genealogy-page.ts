import type { Locator, Page } from 'playwright-core';

/** The Genealogy screen: the look-up, the answer's summary, the recall or bought-lot table, the tree. */
export class GenealogyPage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { name: 'Genealogy', level: 1 });
  }

  get search(): Locator {
    return this.page.getByRole('searchbox', { name: 'Lot or serial' });
  }

  /** Looks up where what is typed went (`Where used`) or what went into it (`Where from`). */
  async find(what: string, direction: 'Where used' | 'Where from' = 'Where used'): Promise<void> {
    await this.search.fill(what);
    await this.page.getByRole('button', { name: direction }).click();
  }

  get summary(): Locator {
    return this.page.getByTestId('genealogy-summary');
  }

  /** The rows of the recall table (where-used) or the bought-lot table (where-from), without the header. */
  table(name: 'Finished units' | 'Bought material'): Locator {
    return this.page.getByRole('table', { name }).locator('tbody tr');
  }

  get tree(): Locator {
    return this.page.getByRole('list', { name: 'Genealogy tree' });
  }

  get download(): Locator {
    return this.page.getByRole('button', { name: 'Download CSV' });
  }

  get askServer(): Locator {
    return this.page.getByRole('button', { name: 'Ask the server' });
  }

  get message(): Locator {
    return this.page.getByTestId('message-area');
  }
}
