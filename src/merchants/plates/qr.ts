import { createRequire } from 'node:module';

/**
 * QR codes for plates. Error correction Q (25 %): printed plates get scratched and stained, and
 * the URLs are short enough that Q stays at a small version. The sheet draws the matrix as vector
 * rectangles (crisp at any zoom or print size); the PNG is for screens and single stickers.
 */

// qrcode loads with the first plate drawn, not with the server
type QrCodeModule = typeof import('qrcode');
let qrcode: QrCodeModule | undefined;
const QRCode = (): QrCodeModule => (qrcode ??= createRequire(import.meta.url)('qrcode') as QrCodeModule);

export const PLATE_QR_ERROR_CORRECTION = 'Q' as const;
/** The quiet zone the QR standard asks for around a symbol, in modules. */
export const QR_QUIET_ZONE = 4;

export interface QrMatrix {
  size: number;
  isDark(row: number, col: number): boolean;
}

export function qrMatrix(text: string): QrMatrix {
  const { modules } = QRCode().create(text, { errorCorrectionLevel: PLATE_QR_ERROR_CORRECTION });
  return { size: modules.size, isDark: (row, col) => modules.get(row, col) === 1 };
}

export interface QrRun {
  row: number;
  col: number;
  length: number;
}

/** Horizontal runs of dark modules, row by row: one rectangle per run instead of per module. */
export function qrRuns(matrix: QrMatrix): QrRun[] {
  const runs: QrRun[] = [];
  for (let row = 0; row < matrix.size; row++) {
    let start = -1;
    for (let col = 0; col <= matrix.size; col++) {
      const dark = col < matrix.size && matrix.isDark(row, col);
      if (dark && start < 0) start = col;
      if (!dark && start >= 0) {
        runs.push({ row, col: start, length: col - start });
        start = -1;
      }
    }
  }
  return runs;
}

/** One plate's QR code as a PNG (8 px per module, with the quiet zone). */
export function plateQrPng(url: string, pixelsPerModule = 8): Promise<Buffer> {
  return QRCode().toBuffer(url, {
    type: 'png',
    errorCorrectionLevel: PLATE_QR_ERROR_CORRECTION,
    margin: QR_QUIET_ZONE,
    scale: pixelsPerModule,
  });
}
