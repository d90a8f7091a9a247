import type { Page } from 'playwright-core';

/** First run: enroll the station, then choose its work center. */
export class SetupPage {
  constructor(readonly page: Page) {}

  async enroll(stationName: string, supervisorBadge: string, pin: string): Promise<void> {
    const { page } = this;
    await page.getByRole('heading', { name: 'Set up this station' }).waitFor();
    await page.getByRole('textbox', { name: 'Station name' }).fill(stationName);
    await page.getByRole('textbox', { name: 'Supervisor badge' }).fill(supervisorBadge);
    await page.getByLabel('Supervisor PIN').fill(pin);
    await page.getByRole('button', { name: 'Enroll station' }).click();
  }

  /** Picks a work center from the list the station pulled (waits for the pull). */
  async chooseWorkCenter(workCenterId: string): Promise<void> {
    await this.page.getByRole('button', { name: new RegExp(`^${workCenterId}\\b`) }).click();
  }
}
