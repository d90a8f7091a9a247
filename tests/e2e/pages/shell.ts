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

  /**
   * A link of the main navigation, in the header's row or in its Records menu: `click` opens the
   * menu first when the link is in it; `count` counts the links a person can reach (either place).
   */
  nav(name: string | RegExp): NavItem {
    return new NavItem(this.page, name);
  }

  get statusBar(): Locator {
    return this.page.getByRole('contentinfo', { name: 'Station status' });
  }
}

/** A link of the header's navigation, wherever it sits (its row or the Records menu). */
export class NavItem {
  constructor(
    readonly page: Page,
    readonly name: string | RegExp,
  ) {}

  private get main(): Locator {
    return this.page.getByRole('navigation', { name: 'Main' });
  }

  /** The link, found even while the Records menu is closed. */
  get link(): Locator {
    return this.main.getByRole('link', { name: this.name, includeHidden: true });
  }

  async click(): Promise<void> {
    if (!(await this.link.isVisible())) await this.main.locator('summary', { hasText: 'Records' }).click();
    await this.link.click();
  }

  count(): Promise<number> {
    return this.link.count();
  }

  waitFor(options?: { timeout?: number }): Promise<void> {
    return this.link.waitFor({ state: 'attached', ...options });
  }
}
