import type { Locator, Page } from 'playwright-core';

export type MoveName = 'Split' | 'Merge' | 'Repack' | 'Scrap' | 'Return';

/** The Material screen: look-up, what the station knows of the lot or serial, the move forms, the confirm dialog, the moves recorded. */
export class MaterialPage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { name: 'Material', level: 1 });
  }

  get search(): Locator {
    return this.page.getByRole('searchbox', { name: 'Lot or serial' });
  }

  /** Types a lot or serial and looks it up; waits for its facts. */
  async lookUp(what: string, shownAs: string): Promise<void> {
    await this.search.fill(what);
    await this.page.getByRole('button', { name: 'Look up' }).click();
    await this.facts(shownAs).waitFor();
  }

  /** What the station knows of it: the region named "Lot L-910-A" or "Serial BRG-0003". */
  facts(name: string): Locator {
    return this.page.getByRole('region', { name });
  }

  /** Opens the form of a move (the buttons under "What to record"). */
  async choose(move: MoveName): Promise<void> {
    const button = this.page.getByRole('group', { name: 'What to record' }).getByRole('button', { name: move, exact: true });
    if ((await button.getAttribute('aria-pressed')) !== 'true') await button.click();
  }

  /** The open move's form, by its name ("Split lot L-910-A"). */
  form(name: string): Locator {
    return this.page.getByRole('form', { name });
  }

  /** A field of the open form by its label. */
  field(label: string): Locator {
    return this.page.getByLabel(label, { exact: true });
  }

  /** The error shown under a field, by the field's label. */
  async fieldError(label: string): Promise<string> {
    const id = await this.field(label).getAttribute('aria-describedby');
    const errorId = id?.split(' ').find((part) => part.endsWith('-error'));
    if (errorId === undefined) return '';
    return this.page.locator(`[id="${errorId}"]`).innerText();
  }

  /** The open form's record button ("Record split"). */
  recordButton(name: string): Locator {
    return this.page.getByRole('region', { name: 'Record a move' }).getByRole('button', { name });
  }

  get blocked(): Locator {
    return this.page.getByTestId('move-blocked');
  }

  get dialog(): Locator {
    return this.page.getByRole('dialog');
  }

  /** Reviews the move in the dialog and confirms it. */
  async confirm(button: string): Promise<void> {
    await this.dialog.getByRole('button', { name: button }).click();
    await this.dialog.waitFor({ state: 'detached' });
  }

  get message(): Locator {
    return this.page.getByTestId('message-area');
  }

  get recorded(): Locator {
    return this.page.getByTestId('recorded-move');
  }
}
