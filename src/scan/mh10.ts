/**
 * ANSI MH10.8.2 data identifiers (ISO/IEC 15418): a DI is a letter with an optional numeric prefix
 * of up to three digits, and the whole prefix counts: `25S` is not `S`. Pure.
 */

/** The data identifiers Travelog reads, with their meaning; any other well-formed DI is kept as is. */
export const DATA_IDENTIFIERS: ReadonlyMap<string, string> = new Map([
  ['P', 'Item identification (part number) assigned by the customer'],
  ['1P', 'Item identification (part number) assigned by the supplier; the original part number of a UII'],
  ['2P', 'Revision level of the part (e.g. drawing revision)'],
  ['30P', 'Current part number, not part of the UII'],
  ['S', 'Serial number'],
  ['18S', 'CAGE code and serial number (UII construct 1, IAC D implied)'],
  ['22S', 'ESN/MEID (IUID equivalent)'],
  ['25S', 'Issuing agency code, enterprise identifier and serial number (complete UII)'],
  ['T', 'Traceability number (lot or batch) assigned by the customer'],
  ['1T', 'Traceability number (lot or batch) assigned by the supplier'],
  ['30T', 'Traceability number, not part of the UII'],
  ['Q', 'Quantity'],
  ['7Q', 'Quantity and unit of measure'],
  ['D', 'Date, YYMMDD'],
  ['14D', 'Expiration date, YYYYMMDD'],
  ['16D', 'Production date, YYYYMMDD'],
  ['V', 'Supplier code assigned by the customer'],
  ['3V', 'GS1 company prefix (enterprise identifier, IAC 0–9)'],
  ['12V', 'DUNS number (enterprise identifier, IAC UN)'],
  ['17V', 'CAGE code (enterprise identifier, IAC D)'],
  ['18V', 'Issuing agency code and enterprise identifier'],
  ['7L', 'DoDAAC (enterprise identifier, IAC LD)'],
  ['4L', 'Country of origin'],
  ['I', 'Vehicle identification number (IUID equivalent)'],
  ['K', 'Order number assigned by the customer'],
  ['1K', 'Order number assigned by the supplier'],
  ['J', 'License plate'],
]);

export type DiField = { di: string; value: string };

/**
 * Splits a field into its data identifier and value, or null when it does not start with one.
 * Every leading digit belongs to the DI (at most three), then one letter.
 */
export function splitDataIdentifier(field: string): DiField | null {
  const match = /^(\d{0,3})([A-Z])/u.exec(field);
  if (match === null) return null;
  const digits = match[1] ?? '';
  // Four leading digits are not a DI; three digits then a letter is.
  if (/^\d{4}/u.test(field)) return null;
  const di = `${digits}${match[2] ?? ''}`;
  return { di, value: field.slice(di.length) };
}

/** YYYYMMDD as YYYY-MM-DD, or null when it is not a calendar date. */
export function isoFromYyyymmdd(value: string): string | null {
  if (!/^\d{8}$/u.test(value)) return null;
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(4, 6));
  const day = Number(value.slice(6, 8));
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > last) return null;
  return `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`;
}
