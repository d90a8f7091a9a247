import type { Locator, Page } from 'playwright-core';

export class TravelerPage {
  constructor(readonly page: Page) {}

  /** The cell of one operation on one unit; its name starts "OP10 on SN-1001-01:" then the status. */
  step(operationId: string, unit: string): Locator {
    return this.page.getByRole('link', { name: new RegExp(`^${operationId} on ${unit}:`) });
  }

  async openStep(operationId: string, unit: string): Promise<void> {
    await this.step(operationId, unit).click();
    await this.page.getByRole('heading', { name: new RegExp(`^${operationId} .* on ${unit}$`) }).waitFor();
  }
}
