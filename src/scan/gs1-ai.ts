/**
 * The GS1 Application Identifier table (GS1 General Specifications, section 3, and the GS1 Barcode
 * Syntax Dictionary): each AI's data title, the format of its value, and what is checked (check
 * digit, date). Pure.
 */

/** GS1 AI encodable character set 82 (General Specifications figure 7.11-1). */
const CSET82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$/u;
/** GS1 AI encodable character set 39. */
const CSET39 = /^[#\-/0-9A-Z]*$/u;
/** File-safe base64 (character set 64), for digital signatures. */
const CSET64 = /^[A-Za-z0-9\-_=]*$/u;

export type CharacterSet = 'N' | 'X' | 'Y' | 'Z';

/** One component of an AI's value, e.g. "N13" then "X..17" for a GDTI. */
export interface AiComponent {
  charset: CharacterSet;
  min: number;
  max: number;
  /** The component ends in a GS1 mod-10 check digit. */
  checkDigit?: boolean;
  /** YYMMDD; `dayMayBeZero` when DD=00 means "the whole month". */
  date?: { dayMayBeZero: boolean };
}

export interface AiSpec {
  ai: string;
  title: string;
  components: readonly AiComponent[];
  /** Total value length when fixed, else null. */
  fixedLength: number | null;
  /** The AI's first two digits are in the predefined-length table, so no GS is needed after it. */
  predefined: boolean;
}

/**
 * AIs whose length the first two digits fix (General Specifications figure 7.8.5-2): AI plus value.
 * Only these may run on into the next AI without a GS.
 */
export const PREDEFINED_LENGTHS: ReadonlyMap<string, number> = new Map([
  ['00', 20], ['01', 16], ['02', 16], ['03', 16], ['04', 18], ['11', 8], ['12', 8], ['13', 8], ['14', 8],
  ['15', 8], ['16', 8], ['17', 8], ['18', 8], ['19', 8], ['20', 4], ['31', 10], ['32', 10], ['33', 10],
  ['34', 10], ['35', 10], ['36', 10], ['41', 16],
]);

/**
 * The table, in the syntax dictionary's notation: `N14,csum` is 14 digits ending in a check digit,
 * `X..20` up to 20 characters of set 82, `N6,yymmd0` a date whose day may be 00; components are
 * separated by spaces.
 */
const TABLE: ReadonlyArray<readonly [string, string, string]> = [
  ['00', 'SSCC', 'N18,csum'],
  ['01', 'GTIN', 'N14,csum'],
  ['02', 'CONTENT', 'N14,csum'],
  ['03', 'MTO GTIN', 'N14,csum'],
  ['10', 'BATCH/LOT', 'X..20'],
  ['11', 'PROD DATE', 'N6,yymmd0'],
  ['12', 'DUE DATE', 'N6,yymmd0'],
  ['13', 'PACK DATE', 'N6,yymmd0'],
  ['15', 'BEST BEFORE or BEST BY', 'N6,yymmd0'],
  ['16', 'SELL BY', 'N6,yymmd0'],
  ['17', 'USE BY OR EXPIRY', 'N6,yymmd0'],
  ['20', 'VARIANT', 'N2'],
  ['21', 'SERIAL', 'X..20'],
  ['22', 'CPV', 'X..20'],
  ['235', 'TPX', 'X..28'],
  ['240', 'ADDITIONAL ID', 'X..30'],
  ['241', 'CUST. PART No.', 'X..30'],
  ['242', 'MTO VARIANT', 'N..6'],
  ['243', 'PCN', 'X..20'],
  ['250', 'SECONDARY SERIAL', 'X..30'],
  ['251', 'REF. TO SOURCE', 'X..30'],
  ['253', 'GDTI', 'N13,csum X0..17'],
  ['254', 'GLN EXTENSION COMPONENT', 'X..20'],
  ['255', 'GCN', 'N13,csum N0..12'],
  ['30', 'VAR. COUNT', 'N..8'],
  ['37', 'COUNT', 'N..8'],
  ['400', 'ORDER NUMBER', 'X..30'],
  ['401', 'GINC', 'X..30'],
  ['402', 'GSIN', 'N17,csum'],
  ['403', 'ROUTE', 'X..30'],
  ['410', 'SHIP TO LOC', 'N13,csum'],
  ['411', 'BILL TO', 'N13,csum'],
  ['412', 'PURCHASE FROM', 'N13,csum'],
  ['413', 'SHIP FOR LOC', 'N13,csum'],
  ['414', 'LOC No.', 'N13,csum'],
  ['415', 'PAY TO', 'N13,csum'],
  ['416', 'PROD/SERV LOC', 'N13,csum'],
  ['417', 'PARTY', 'N13,csum'],
  ['420', 'SHIP TO POST', 'X..20'],
  ['421', 'SHIP TO POST', 'N3 X..9'],
  ['422', 'ORIGIN', 'N3'],
  ['423', 'COUNTRY - INITIAL PROCESS', 'N3 N..12'],
  ['424', 'COUNTRY - PROCESS', 'N3'],
  ['425', 'COUNTRY - DISASSEMBLY', 'N3 N..12'],
  ['426', 'COUNTRY - FULL PROCESS', 'N3'],
  ['427', 'ORIGIN SUBDIVISION', 'X..3'],
  ['7001', 'NSN', 'N13'],
  ['7002', 'MEAT CUT', 'X..30'],
  ['7003', 'EXPIRY TIME', 'N6,yymmdd N4'],
  ['7004', 'ACTIVE POTENCY', 'N..4'],
  ['7005', 'CATCH AREA', 'X..12'],
  ['7006', 'FIRST FREEZE DATE', 'N6,yymmdd'],
  ['7007', 'HARVEST DATE', 'N6,yymmdd N0..6'],
  ['7008', 'AQUATIC SPECIES', 'X..3'],
  ['7009', 'FISHING GEAR TYPE', 'X..10'],
  ['7010', 'PROD METHOD', 'X..2'],
  ['7011', 'TEST BY DATE', 'N6,yymmdd N0..4'],
  ['7020', 'REFURB LOT', 'X..20'],
  ['7021', 'FUNC STAT', 'X..20'],
  ['7022', 'REV STAT', 'X..20'],
  ['7023', 'GIAI - ASSEMBLY', 'X..30'],
  ['7040', 'UIC+EXT', 'N1 X3'],
  ['710', 'NHRN PZN', 'X..20'],
  ['711', 'NHRN CIP', 'X..20'],
  ['712', 'NHRN CN', 'X..20'],
  ['713', 'NHRN DRN', 'X..20'],
  ['714', 'NHRN AIM', 'X..20'],
  ['715', 'NHRN NDC', 'X..20'],
  ['7240', 'PROTOCOL', 'X..20'],
  ['7241', 'AIDC MEDIA TYPE', 'N2'],
  ['7242', 'VCN', 'X..25'],
  ['8001', 'DIMENSIONS', 'N14'],
  ['8002', 'CMT No.', 'X..20'],
  ['8003', 'GRAI', 'N14,csum X0..16'],
  ['8004', 'GIAI', 'X..30'],
  ['8005', 'PRICE PER UNIT', 'N6'],
  ['8006', 'ITIP', 'N14,csum N2 N2'],
  ['8007', 'IBAN', 'X..34'],
  ['8008', 'PROD TIME', 'N8 N0..4'],
  ['8009', 'OPTSEN', 'X..50'],
  ['8010', 'CPID', 'Y..30'],
  ['8011', 'CPID SERIAL', 'N..12'],
  ['8012', 'VERSION', 'X..20'],
  ['8013', 'GMN', 'X..25'],
  ['8017', 'GSRN - PROVIDER', 'N18,csum'],
  ['8018', 'GSRN - RECIPIENT', 'N18,csum'],
  ['8019', 'SRIN', 'N..10'],
  ['8020', 'REF No.', 'X..25'],
  ['8026', 'ITIP CONTENT', 'N14,csum N2 N2'],
  ['8030', 'DIGSIG', 'Z..90'],
  ['8110', 'COUPON', 'X..70'],
  ['8111', 'POINTS', 'N4'],
  ['8112', 'PAPERLESS COUPON', 'X..70'],
  ['8200', 'PRODUCT URL', 'X..70'],
  ['90', 'INTERNAL', 'X..30'],
  ...['91', '92', '93', '94', '95', '96', '97', '98', '99'].map((ai) => [ai, 'INTERNAL', 'X..90'] as const),
  // Trade and logistic measures: the fourth digit is the position of the decimal point.
  ...measures(),
  ...Array.from({ length: 10 }, (_, n) => [`703${n}`, 'PROCESSOR # s', 'N3 X..27'] as const),
  ...Array.from({ length: 10 }, (_, n) => [`390${n}`, 'AMOUNT', 'N..15'] as const),
  ...Array.from({ length: 10 }, (_, n) => [`391${n}`, 'AMOUNT', 'N3 N..15'] as const),
  ...Array.from({ length: 10 }, (_, n) => [`392${n}`, 'PRICE', 'N..15'] as const),
  ...Array.from({ length: 10 }, (_, n) => [`393${n}`, 'PRICE', 'N3 N..15'] as const),
  ...Array.from({ length: 5 }, (_, n) => [`394${n}`, 'PRCNT OFF', 'N4'] as const),
  ...Array.from({ length: 6 }, (_, n) => [`395${n}`, 'PRICE/UoM', 'N6'] as const),
];

function measures(): Array<readonly [string, string, string]> {
  const prefixes = [
    '310', '311', '312', '313', '314', '315', '316', '320', '321', '322', '323', '324', '325', '326', '327',
    '328', '329', '330', '331', '332', '333', '334', '335', '336', '337', '340', '341', '342', '343', '344',
    '345', '346', '347', '348', '349', '350', '351', '352', '353', '354', '355', '356', '357', '360', '361',
    '362', '363', '364', '365', '366', '367', '368', '369',
  ];
  return prefixes.flatMap((prefix) => Array.from({ length: 6 }, (_, n) => [`${prefix}${n}`, 'MEASURE', 'N6'] as const));
}

function parseComponent(text: string): AiComponent {
  const [format = '', ...flags] = text.split(',');
  const charset = format[0] as CharacterSet;
  const length = format.slice(1);
  let min: number;
  let max: number;
  if (length.startsWith('..')) {
    min = 1;
    max = Number(length.slice(2));
  } else if (length.includes('..')) {
    const [a = '0', b = '0'] = length.split('..');
    min = Number(a);
    max = Number(b);
  } else {
    min = max = Number(length);
  }
  return {
    charset,
    min,
    max,
    ...(flags.includes('csum') ? { checkDigit: true } : {}),
    ...(flags.includes('yymmd0') ? { date: { dayMayBeZero: true } } : flags.includes('yymmdd') ? { date: { dayMayBeZero: false } } : {}),
  };
}

function specOf(ai: string, title: string, format: string): AiSpec {
  const components = format.split(' ').map(parseComponent);
  const fixed = components.every((c) => c.min === c.max);
  return {
    ai,
    title,
    components,
    fixedLength: fixed ? components.reduce((sum, c) => sum + c.max, 0) : null,
    predefined: PREDEFINED_LENGTHS.has(ai.slice(0, 2)),
  };
}

/** Every AI this parser knows, by AI. */
export const AI_TABLE: ReadonlyMap<string, AiSpec> = new Map(TABLE.map(([ai, title, format]) => [ai, specOf(ai, title, format)]));

/** The AI that starts `text` (AIs are prefix-free: at most one of 2, 3 and 4 digits matches). */
export function aiAt(text: string, position: number): AiSpec | undefined {
  for (const length of [2, 3, 4]) {
    const spec = AI_TABLE.get(text.slice(position, position + length));
    if (spec !== undefined) return spec;
  }
  return undefined;
}

/** The GS1 mod-10 check digit for the digits before the last one (GTIN, SSCC, GLN, GRAI, GSRN…). */
export function gs1CheckDigit(digitsWithoutCheck: string): number {
  let sum = 0;
  const n = digitsWithoutCheck.length;
  for (let i = 0; i < n; i++) {
    const digit = digitsWithoutCheck.charCodeAt(n - 1 - i) - 48;
    sum += i % 2 === 0 ? digit * 3 : digit;
  }
  return (10 - (sum % 10)) % 10;
}

/** Whether an all-digit identifier ends in its correct GS1 check digit. */
export function hasValidCheckDigit(digits: string): boolean {
  if (!/^\d{2,}$/u.test(digits)) return false;
  return gs1CheckDigit(digits.slice(0, -1)) === Number(digits.slice(-1));
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * The full year of a two-digit YY (General Specifications 7.12): within 49 years ahead or 50 behind
 * the reference year. Without a reference year, 20YY.
 */
export function fullYear(yy: number, referenceYear?: number): number {
  if (referenceYear === undefined) return 2000 + yy;
  const century = Math.floor(referenceYear / 100) * 100;
  const difference = yy - (referenceYear % 100);
  if (difference >= 51) return century - 100 + yy;
  if (difference <= -50) return century + 100 + yy;
  return century + yy;
}

/**
 * A YYMMDD date as YYYY-MM-DD, or why not. DD=00 (where allowed) means the last day of the month.
 */
export function gs1Date(value: string, dayMayBeZero: boolean, referenceYear?: number): { ok: true; iso: string } | { ok: false; error: string } {
  if (!/^\d{6}$/u.test(value)) return { ok: false, error: `date ${value} is not YYMMDD` };
  const year = fullYear(Number(value.slice(0, 2)), referenceYear);
  const month = Number(value.slice(2, 4));
  let day = Number(value.slice(4, 6));
  if (month < 1 || month > 12) return { ok: false, error: `date ${value} has month ${value.slice(2, 4)}` };
  const last = daysInMonth(year, month);
  if (day === 0) {
    if (!dayMayBeZero) return { ok: false, error: `date ${value} has day 00, not allowed here` };
    day = last;
  }
  if (day > last) return { ok: false, error: `date ${value} has day ${value.slice(4, 6)}, but ${year}-${value.slice(2, 4)} has ${last} days` };
  return { ok: true, iso: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}` };
}

/** Checks one component's characters; returns the offending position within it, or -1. */
export function badCharacter(charset: CharacterSet, text: string): number {
  const ok = charset === 'N' ? /^\d$/u : charset === 'X' ? CSET82 : charset === 'Y' ? CSET39 : CSET64;
  for (let i = 0; i < text.length; i++) {
    if (!ok.test(text[i] ?? '')) return i;
  }
  return -1;
}

export const CHARSET_NAMES: Readonly<Record<CharacterSet, string>> = {
  N: 'digits',
  X: 'GS1 character set 82',
  Y: 'GS1 character set 39',
  Z: 'GS1 character set 64',
};
