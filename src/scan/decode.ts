/**
 * Decoding a symbol from pixels with zxing: the one decoding path of the camera (through
 * `@zxing/browser`, which runs this reader with these hints) and of the label round-trip test. No
 * DOM here, so Node can run it.
 *
 * `ASSUME_GS1` matters: without it zxing-js drops FNC1 from Code 128, and a GS1-128 lot swallows
 * the field after it. With it, Code 128 comes back with `]C1` in front and GS between fields.
 */
import { BarcodeFormat, BinaryBitmap, DecodeHintType, HybridBinarizer, MultiFormatReader, RGBLuminanceSource } from '@zxing/library';

/** The symbologies met on a shop floor: labels, parts marking, suppliers' and retail codes. */
export const SCAN_FORMATS: readonly BarcodeFormat[] = [
  BarcodeFormat.DATA_MATRIX,
  BarcodeFormat.QR_CODE,
  BarcodeFormat.CODE_128,
  BarcodeFormat.CODE_39,
  BarcodeFormat.EAN_13,
  BarcodeFormat.EAN_8,
  BarcodeFormat.UPC_A,
  BarcodeFormat.ITF,
  BarcodeFormat.RSS_14,
  BarcodeFormat.PDF_417,
  BarcodeFormat.AZTEC,
];

/** The hints every decode uses: GS1 aware, thorough, and only the formats above. */
export function scanHints(): Map<DecodeHintType, unknown> {
  return new Map<DecodeHintType, unknown>([
    [DecodeHintType.ASSUME_GS1, true],
    [DecodeHintType.TRY_HARDER, true],
    [DecodeHintType.POSSIBLE_FORMATS, [...SCAN_FORMATS]],
  ]);
}

/** A reader set up with {@link scanHints}, reusable across frames. */
export function createDecoder(): MultiFormatReader {
  const reader = new MultiFormatReader();
  reader.setHints(scanHints());
  return reader;
}

/** Decodes one grey image (one byte a pixel, 0 black … 255 white); null when no symbol is found. */
export function decodeLuminance(
  reader: MultiFormatReader,
  luminance: Uint8ClampedArray,
  width: number,
  height: number,
): { text: string; format: BarcodeFormat } | null {
  try {
    const result = reader.decodeWithState(new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(luminance, width, height))));
    return { text: result.getText(), format: result.getBarcodeFormat() };
  } catch {
    return null;
  } finally {
    reader.reset();
  }
}

/** Symbologies by the names zxing and the browser's BarcodeDetector give them. */
export type Symbology = 'datamatrix' | 'qr' | 'code128' | 'code39' | 'ean13' | 'ean8' | 'upca' | 'itf' | 'databar' | 'pdf417' | 'aztec' | 'other';

export function symbologyOfZxing(format: BarcodeFormat): Symbology {
  switch (format) {
    case BarcodeFormat.DATA_MATRIX:
      return 'datamatrix';
    case BarcodeFormat.QR_CODE:
      return 'qr';
    case BarcodeFormat.CODE_128:
      return 'code128';
    case BarcodeFormat.CODE_39:
      return 'code39';
    case BarcodeFormat.EAN_13:
      return 'ean13';
    case BarcodeFormat.EAN_8:
      return 'ean8';
    case BarcodeFormat.UPC_A:
      return 'upca';
    case BarcodeFormat.ITF:
      return 'itf';
    case BarcodeFormat.RSS_14:
      return 'databar';
    case BarcodeFormat.PDF_417:
      return 'pdf417';
    case BarcodeFormat.AZTEC:
      return 'aztec';
    default:
      return 'other';
  }
}

/** BarcodeDetector format names (Shape Detection API). */
export function symbologyOfDetector(format: string): Symbology {
  const names: Record<string, Symbology> = {
    data_matrix: 'datamatrix',
    qr_code: 'qr',
    code_128: 'code128',
    code_39: 'code39',
    ean_13: 'ean13',
    ean_8: 'ean8',
    upc_a: 'upca',
    itf: 'itf',
    pdf417: 'pdf417',
    aztec: 'aztec',
  };
  return names[format] ?? 'other';
}

/**
 * The decoded text as a scanner would send it, with the AIM symbology identifier in front, so that
 * camera and wedge scans go through `parseScan` alike. A decoder reports FNC1 in first position as a
 * leading GS; that becomes the GS1 modifier.
 */
export function withSymbologyId(text: string, symbology: Symbology): string {
  if (text.startsWith(']')) return text; // zxing's Code 128 under ASSUME_GS1 already says ]C1
  const fnc1 = text.startsWith('\u001d');
  const data = fnc1 ? text.slice(1) : text;
  switch (symbology) {
    case 'datamatrix':
      return `${fnc1 ? ']d2' : ']d1'}${data}`;
    case 'qr':
      return `${fnc1 ? ']Q3' : ']Q1'}${data}`;
    case 'aztec':
      return `${fnc1 ? ']z1' : ']z0'}${data}`;
    case 'code128':
      return `${fnc1 ? ']C1' : ']C0'}${data}`;
    case 'code39':
      return `]A0${data}`;
    case 'ean13':
      return `]E0${data}`;
    case 'upca':
      return `]E0${data.length === 12 ? `0${data}` : data}`;
    case 'ean8':
      return `]E4${data}`;
    case 'itf':
      return `${data.length === 14 ? ']I1' : ']I0'}${data}`;
    case 'databar':
      return `]e0${/^\d{14}$/u.test(data) ? `01${data}` : data}`;
    case 'pdf417':
      return `]L2${data}`;
    default:
      return data;
  }
}
