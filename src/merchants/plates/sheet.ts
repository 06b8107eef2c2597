import {
  PDFDocument,
  StandardFonts,
  fill,
  grayscale,
  lineTo,
  moveTo,
  popGraphicsState,
  pushGraphicsState,
  rectangle,
  setFillingGrayscaleColor,
  setLineCap,
  setLineJoin,
  setLineWidth,
  setStrokingGrayscaleColor,
  stroke,
  LineCapStyle,
  LineJoinStyle,
  type PDFFont,
  type PDFPage,
} from 'pdf-lib';
import { SCAN_TO_PAY_GLYPHS } from './glyphs.js';
import { qrMatrix, qrRuns, QR_QUIET_ZONE } from './qr.js';
import { formatPlateCode, formatYuan } from './rules.js';

/**
 * The printable sheet: A4 pages of 3 × 4 plates, each with its QR code (vector rectangles), the
 * caption 扫码付款 / Scan to pay, the fixed price if any, and the plate number, inside a light
 * dashed cut line. Layout is a pure function; rendering only draws what it says.
 */

export const A4 = { width: 595.28, height: 841.89 }; // points
export const SHEET_COLUMNS = 3;
export const SHEET_ROWS = 4;
export const PLATES_PER_PAGE = SHEET_COLUMNS * SHEET_ROWS;
const MARGIN = 28;

export interface Cell {
  index: number; // position in the batch
  page: number;
  x: number; // lower-left corner, PDF points
  y: number;
  width: number;
  height: number;
}

export function sheetLayout(count: number, page = A4): Cell[] {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`invalid plate count ${count}`);
  const width = (page.width - 2 * MARGIN) / SHEET_COLUMNS;
  const height = (page.height - 2 * MARGIN) / SHEET_ROWS;
  return Array.from({ length: count }, (_, index) => {
    const slot = index % PLATES_PER_PAGE;
    const column = slot % SHEET_COLUMNS;
    const row = Math.floor(slot / SHEET_COLUMNS); // row 0 at the top of the page
    return {
      index,
      page: Math.floor(index / PLATES_PER_PAGE),
      x: MARGIN + column * width,
      y: page.height - MARGIN - (row + 1) * height,
      width,
      height,
    };
  });
}

export function pageCount(count: number): number {
  return Math.ceil(count / PLATES_PER_PAGE);
}

export interface SheetPlate {
  code: string;
  url: string;
  seq: number | null;
  amount: number | null;
}

export interface SheetOptions {
  title: string;
  createdAt: Date;
  onProgress?: (done: number, total: number) => void;
}

interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
  mono: PDFFont;
}

const QR_SIZE = 136; // points, quiet zone included: ~3.3 pt per module at version 4, easy for a phone camera

function drawQr(page: PDFPage, url: string, left: number, bottom: number): void {
  const matrix = qrMatrix(url);
  const module = QR_SIZE / (matrix.size + 2 * QR_QUIET_ZONE);
  const origin = { x: left + QR_QUIET_ZONE * module, top: bottom + QR_SIZE - QR_QUIET_ZONE * module };
  const ops = qrRuns(matrix).map((run) =>
    // a hair wider/taller than the module so adjacent rectangles leave no anti-aliased seams
    rectangle(
      origin.x + run.col * module,
      origin.top - (run.row + 1) * module - 0.01,
      run.length * module + 0.01,
      module + 0.02,
    ),
  );
  page.pushOperators(pushGraphicsState(), setFillingGrayscaleColor(0), ...ops, fill(), popGraphicsState());
}

function drawScanToPay(page: PDFPage, left: number, top: number, size: number): number {
  const unit = size / 100;
  const ops = [pushGraphicsState(), setStrokingGrayscaleColor(0), setLineWidth(size * 0.085)];
  ops.push(setLineCap(LineCapStyle.Round), setLineJoin(LineJoinStyle.Round));
  SCAN_TO_PAY_GLYPHS.forEach((glyph, i) => {
    const gx = left + i * size * 1.08;
    for (const points of glyph.strokes) {
      points.forEach(([px, py], k) => {
        const x = gx + px * unit;
        const y = top - py * unit;
        ops.push(k === 0 ? moveTo(x, y) : lineTo(x, y));
      });
      ops.push(stroke());
    }
  });
  ops.push(popGraphicsState());
  page.pushOperators(...ops);
  return SCAN_TO_PAY_GLYPHS.length * size * 1.08;
}

function centeredText(page: PDFPage, text: string, font: PDFFont, size: number, cell: Cell, y: number) {
  const width = font.widthOfTextAtSize(text, size);
  page.drawText(text, { x: cell.x + (cell.width - width) / 2, y, size, font, color: grayscale(0) });
}

function drawCell(page: PDFPage, plate: SheetPlate, cell: Cell, fonts: Fonts): void {
  // cut line
  page.drawRectangle({
    x: cell.x + 2,
    y: cell.y + 2,
    width: cell.width - 4,
    height: cell.height - 4,
    borderColor: grayscale(0.75),
    borderWidth: 0.5,
    borderDashArray: [3, 3],
  });
  const top = cell.y + cell.height;
  const qrBottom = top - 8 - QR_SIZE;
  drawQr(page, plate.url, cell.x + (cell.width - QR_SIZE) / 2, qrBottom);

  // caption: 扫码付款 / Scan to pay, centred as one line
  const glyphSize = 13;
  const english = '  /  Scan to pay';
  const englishWidth = fonts.bold.widthOfTextAtSize(english, 10);
  const captionWidth = SCAN_TO_PAY_GLYPHS.length * glyphSize * 1.08 + englishWidth;
  const captionLeft = cell.x + (cell.width - captionWidth) / 2;
  const captionTop = qrBottom - 2;
  const drawn = drawScanToPay(page, captionLeft, captionTop, glyphSize);
  page.drawText(english, {
    x: captionLeft + drawn,
    y: captionTop - glyphSize + 2,
    size: 10,
    font: fonts.bold,
    color: grayscale(0),
  });

  let line = captionTop - glyphSize - 15;
  if (plate.amount !== null) {
    centeredText(page, `CNY ${formatYuan(plate.amount)}`, fonts.bold, 12, cell, line);
    line -= 13;
  }
  const number = plate.seq === null ? '' : `No. ${String(plate.seq).padStart(4, '0')}   `;
  centeredText(page, `${number}${formatPlateCode(plate.code)}`, fonts.mono, 7.5, cell, line);
}

/** Renders the plates as a PDF; reports progress per plate (the CLI draws a bar from it). */
export async function renderPlateSheet(plates: readonly SheetPlate[], options: SheetOptions) {
  const pdf = await PDFDocument.create({ updateMetadata: false });
  pdf.setTitle(options.title);
  pdf.setCreator('JuhePay');
  pdf.setProducer('JuhePay (pdf-lib)');
  pdf.setCreationDate(options.createdAt);
  pdf.setModificationDate(options.createdAt);
  const fonts: Fonts = {
    regular: await pdf.embedFont(StandardFonts.Helvetica),
    bold: await pdf.embedFont(StandardFonts.HelveticaBold),
    mono: await pdf.embedFont(StandardFonts.Courier),
  };
  const cells = sheetLayout(plates.length);
  const pages: PDFPage[] = [];
  const totalPages = pageCount(plates.length);
  for (const cell of cells) {
    let page = pages[cell.page];
    if (!page) {
      page = pdf.addPage([A4.width, A4.height]);
      pages.push(page);
      const header = `${options.title}  -  page ${cell.page + 1} of ${totalPages}`;
      page.drawText(header, {
        x: MARGIN,
        y: A4.height - 18,
        size: 7,
        font: fonts.regular,
        color: grayscale(0.4),
      });
      await new Promise((resolve) => setImmediate(resolve)); // let a server answer others between pages
    }
    drawCell(page, plates[cell.index]!, cell, fonts);
    options.onProgress?.(cell.index + 1, plates.length);
  }
  if (plates.length === 0) pdf.addPage([A4.width, A4.height]);
  return pdf.save();
}
