import type { FrameLocator, Locator, Page } from 'playwright-core';

/** The Evidence screen: the look-up, the package's summary, its report, download and print. */
export class EvidencePage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { name: 'Evidence', level: 1 });
  }

  get search(): Locator {
    return this.page.getByRole('searchbox', { name: 'Serial, lot or work order' });
  }

  /** Looks up the evidence of what is typed. */
  async find(what: string): Promise<void> {
    await this.search.fill(what);
    await this.page.getByRole('button', { name: 'Find evidence' }).click();
  }

  get summary(): Locator {
    return this.page.getByTestId('evidence-summary');
  }

  get report(): FrameLocator {
    return this.page.frameLocator('iframe[title="Evidence report"]');
  }

  get download(): Locator {
    return this.page.getByRole('button', { name: 'Download JSON' });
  }

  get print(): Locator {
    return this.page.getByRole('button', { name: 'Print report' });
  }

  get message(): Locator {
    return this.page.getByTestId('message-area');
  }
}
