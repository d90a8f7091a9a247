import type { Locator, Page } from 'playwright-core';

/** The Ship screen: the form (unit, quantity, customer, shipment), what is ready, what shipped lately. */
export class ShippingPage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { name: 'Ship', level: 1 });
  }

  get unitField(): Locator {
    return this.page.getByRole('searchbox', { name: 'Serial or lot' });
  }

  /** What the station says of the unit typed: part, work order, ready or what holds it. */
  get unit(): Locator {
    return this.page.getByTestId('shipping-unit');
  }

  get ready(): Locator {
    return this.page.getByRole('list', { name: 'Ready to ship' });
  }

  get recent(): Locator {
    return this.page.getByRole('list', { name: 'Shipped lately' });
  }

  get message(): Locator {
    return this.page.getByTestId('message-area');
  }

  /** Fills the form and presses Ship. */
  async ship(unit: string, customer: string, shipmentRef: string): Promise<void> {
    await this.unitField.fill(unit);
    await this.page.getByRole('textbox', { name: 'Customer' }).fill(customer);
    await this.page.getByRole('textbox', { name: 'Packing slip or shipment' }).fill(shipmentRef);
    await this.page.getByRole('button', { name: 'Ship', exact: true }).click();
  }
}
