import type { Locator, Page } from 'playwright-core';

/** The signed-in frame: header (who, navigation, sign-out) and the status bar. */
export class Shell {
  constructor(readonly page: Page) {}

  get header(): Locator {
    return this.page.getByRole('banner');
  }

  get signedInAs(): Locator {
    return this.header.getByTestId('signed-in-as');
  }

  /** Waits until `name` is shown as signed in. */
  async expectSignedIn(name: string): Promise<void> {
    await this.signedInAs.filter({ hasText: name }).waitFor();
  }

  async signOut(): Promise<void> {
    await this.header.getByRole('button', { name: 'Sign out' }).click();
    await this.page.getByRole('heading', { name: 'Sign in' }).waitFor();
  }

  nav(name: string | RegExp): Locator {
    return this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });
  }

  get statusBar(): Locator {
    return this.page.getByRole('contentinfo', { name: 'Station status' });
  }
}
