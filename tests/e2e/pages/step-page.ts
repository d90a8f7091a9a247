import type { Locator, Page } from 'playwright-core';

/** One operation on one unit: start/complete, material scans, inspection results. */
export class StepPage {
  constructor(readonly page: Page) {}

  get status(): Locator {
    return this.page.getByTestId('step-status');
  }

  async waitForStatus(text: 'Not started' | 'In progress' | 'Complete'): Promise<void> {
    await this.status.filter({ hasText: new RegExp(`^${text}$`) }).waitFor();
  }

  async start(): Promise<void> {
    await this.page.getByRole('button', { name: 'Start operation' }).click();
  }

  async complete(): Promise<void> {
    await this.page.getByRole('button', { name: 'Complete operation' }).click();
  }

  alert(text: string | RegExp): Locator {
    return this.page.getByRole('alert').filter({ hasText: text });
  }

  async backToTraveler(workOrderId: string): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: workOrderId }).click();
  }

  get material(): Locator {
    return this.page.getByRole('region', { name: 'Material' });
  }

  /**
   * A keyboard-wedge scan as a scanner sends it: a burst of key events then Enter, with the focus on
   * no particular field (the heading was clicked last). The events are dispatched inside the page in
   * one go, as a scanner's arrive; typed one by one over the DevTools protocol, a busy CI machine
   * can stretch the gaps past the detector's threshold and make the test flaky.
   */
  async wedgeScan(text: string): Promise<void> {
    await this.page.getByRole('heading', { level: 1 }).click();
    await this.page.evaluate((keys) => {
      const target = document.activeElement ?? document.body;
      for (const key of [...keys, 'Enter']) {
        target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
      }
    }, text);
  }

  consumed(identifier: string): Locator {
    return this.page.getByRole('table', { name: 'Material built in' }).getByRole('row', { name: new RegExp(identifier) });
  }

  characteristic(heading: string): CharacteristicPanel {
    return new CharacteristicPanel(this.page.getByRole('region', { name: heading }));
  }
}

export class CharacteristicPanel {
  constructor(readonly region: Locator) {}

  get value(): Locator {
    return this.region.getByRole('textbox', { name: 'Value' });
  }

  get gauge(): Locator {
    return this.region.getByRole('textbox', { name: /^Gauge id/ });
  }

  get unit(): Locator {
    return this.region.getByRole('combobox', { name: 'Unit' });
  }

  get liveVerdict(): Locator {
    return this.region.getByTestId('live-verdict');
  }

  async record(): Promise<void> {
    await this.region.getByRole('button', { name: 'Record' }).click();
  }

  result(text: string | RegExp): Locator {
    return this.region.getByRole('table').getByRole('row').filter({ hasText: text });
  }

  /** The rows of recorded results, newest first (without the header row). */
  get resultRows(): Locator {
    return this.region.getByRole('table').locator('tbody').getByRole('row');
  }

  /** The screen's one message of the newest outcome (src/ui MessageArea): what was recorded, or why not. */
  get message(): Locator {
    return this.region.page().getByTestId('message-area');
  }

  /** The notice that the unit is on hold, with the hold's short id and reason. */
  get heldUnit(): Locator {
    return this.region.getByTestId('held-unit');
  }
}
