import type { Locator, Page } from 'playwright-core';

/** What a disposition dialog is filled with: the disposition, its reason, the signer, and the concurrence or rework target it needs. */
export interface DispositionEntry {
  disposition: 'use-as-is' | 'rework' | 'repair' | 'scrap' | 'return-to-supplier';
  reason: string;
  /** The quality signer's badge and PIN (Quinn Lee unless given). */
  badge?: string;
  pin?: string;
  /** Rework to this operation. */
  reworkTo?: string;
  /** Engineering's concurrence (use as is, repair): Rosa Lindqvist's badge and PIN. */
  engineering?: { badge: string; pin: string };
}

/** The NCRs screen: each NCR a card, its disposition dialog, and the signature shown once signed. */
export class NcrPage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { name: 'Nonconformances' });
  }

  /** The card of an NCR, by its short id. */
  card(ncrId: string): Locator {
    return this.page.getByRole('article', { name: ncrId });
  }

  get dialog(): Locator {
    return this.page.getByRole('dialog');
  }

  /** The manifestation of the signature just applied. */
  get signature(): Locator {
    return this.page.getByRole('status', { name: 'Signature' });
  }

  /** Opens the disposition dialog of `unit` on the NCR. */
  async openDisposition(ncrId: string, unit: string): Promise<Locator> {
    await this.card(ncrId).getByRole('button', { name: `Disposition ${unit} on ${ncrId}` }).click();
    await this.dialog.waitFor();
    return this.dialog;
  }

  /** Fills the open dialog: disposition, rework target, reason, the signer's badge and PIN, engineering's concurrence. */
  async fill(entry: DispositionEntry): Promise<void> {
    const dialog = this.dialog;
    await dialog.getByRole('combobox', { name: 'Disposition' }).selectOption(entry.disposition);
    if (entry.reworkTo !== undefined) await dialog.getByRole('combobox', { name: 'Rework to operation' }).selectOption(entry.reworkTo);
    await dialog.getByRole('textbox', { name: 'Reason for the disposition' }).fill(entry.reason);
    await dialog.getByRole('textbox', { name: 'Badge', exact: true }).fill(entry.badge ?? 'B-4001');
    await dialog.getByLabel('PIN', { exact: true }).fill(entry.pin ?? '4321');
    if (entry.engineering !== undefined) {
      await dialog.getByRole('textbox', { name: 'Engineering badge' }).fill(entry.engineering.badge);
      await dialog.getByLabel('Engineering PIN').fill(entry.engineering.pin);
    }
  }

  /** Signs the filled dialog and waits for the signature's manifestation naming `signer`. */
  async sign(signer = 'Quinn Lee'): Promise<void> {
    await this.dialog.getByRole('button', { name: 'Sign disposition' }).click();
    await this.signature.filter({ hasText: signer }).waitFor();
  }
}
