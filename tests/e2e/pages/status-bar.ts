import type { Locator, Page } from 'playwright-core';

/** The station status bar: network, outbox, last sync, storage, and the update prompt above it. */
export class StatusBar {
  constructor(readonly page: Page) {}

  get bar(): Locator {
    return this.page.getByRole('contentinfo', { name: 'Station status' });
  }

  async waitForOffline(): Promise<void> {
    await this.bar.filter({ hasText: 'Offline' }).waitFor();
  }

  /** Waits until the bar says the server answered (not only that the browser has a network). */
  async waitForOnline(timeout?: number): Promise<void> {
    await this.serverContact.filter({ hasText: /^Server reached \d\d:\d\d:\d\d$/ }).waitFor(timeout === undefined ? {} : { timeout });
  }

  /** Waits until the bar says the server is not reached, since when it was last ("never" when not yet). */
  async waitForServerNotReached(timeout?: number): Promise<void> {
    await this.serverContact.filter({ hasText: /Server not reached (since \d\d:\d\d:\d\d|yet)$/ }).waitFor(timeout === undefined ? {} : { timeout });
  }

  /** What the bar says of the server: "Server reached 12:03:07", "Server not reached since …", "Offline · …". */
  get serverContact(): Locator {
    return this.bar.getByTestId('server-contact');
  }

  /** Waits until `count` events are shown waiting, with the age of the oldest. */
  async waitForWaiting(count: number, timeout?: number): Promise<void> {
    // The bar's text runs together ("Offline20 events…"): anchor on the outbox's own element instead.
    const text = count === 1 ? /^1 event waiting to send, oldest/ : new RegExp(`^${count} events waiting to send, oldest`);
    await this.bar.getByTestId('outbox').filter({ hasText: text }).waitFor(timeout === undefined ? {} : { timeout });
  }

  async waitForNothingWaiting(timeout?: number): Promise<void> {
    await this.bar.filter({ hasText: 'nothing waiting to send' }).waitFor(timeout === undefined ? {} : { timeout });
  }

  get lastSync(): Locator {
    return this.bar.getByTestId('last-sync');
  }

  get storagePersistence(): Locator {
    return this.bar.getByTestId('storage-persistence');
  }

  get storageWarning(): Locator {
    return this.bar.getByRole('alert').filter({ hasText: /^Storage \d+% full/ });
  }

  /** The "new version" prompt and its button. */
  get updatePrompt(): Locator {
    return this.page.getByRole('complementary', { name: 'New version' });
  }

  get updateButton(): Locator {
    return this.updatePrompt.getByRole('button', { name: 'Update' });
  }
}
