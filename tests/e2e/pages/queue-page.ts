import type { Locator, Page } from 'playwright-core';

export class QueuePage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { name: /^Queue at/ });
  }

  workOrderLink(workOrderId: string): Locator {
    return this.page.getByRole('link', { name: workOrderId, exact: true });
  }

  async openWorkOrder(workOrderId: string): Promise<void> {
    await this.workOrderLink(workOrderId).click();
    await this.page.getByRole('heading', { name: `Traveler ${workOrderId}` }).waitFor();
  }
}
