import type { Locator, Page } from 'playwright-core';

export class SignInPage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { name: 'Sign in' });
  }

  async signIn(badge: string, pin: string): Promise<void> {
    const { page } = this;
    await this.heading.waitFor();
    await page.getByRole('textbox', { name: 'Badge' }).fill(badge);
    await page.getByLabel('PIN').fill(pin);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  get alert(): Locator {
    return this.page.getByRole('alert');
  }
}
