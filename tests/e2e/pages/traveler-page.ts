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

  /** A rework, repair or re-inspection an NCR inserted: its cell is named by what it is ("Rework 1 for NCR-2026-… on SN-…:"). */
  inserted(name: string, unit: string): Locator {
    return this.page.getByRole('link', { name: new RegExp(`^${name} on ${unit}:`) });
  }

  async openInserted(name: string, unit: string): Promise<void> {
    await this.inserted(name, unit).click();
    await this.page.getByRole('heading', { name: new RegExp(`^${name} on ${unit}$`) }).waitFor();
  }
}
