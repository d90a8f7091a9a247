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

  /** Opens a traveler by typing its work order, serial or lot, as if scanned: the queue need not list it. */
  async lookUp(identifier: string): Promise<void> {
    await this.page.getByRole('textbox', { name: 'Work order, serial or lot' }).fill(identifier);
    await this.page.getByRole('button', { name: 'Open traveler' }).click();
    await this.page.getByRole('heading', { name: /^Traveler / }).waitFor();
  }
}
