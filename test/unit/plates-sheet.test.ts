import fc from 'fast-check';
import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { SCAN_TO_PAY_GLYPHS } from '../../src/merchants/plates/glyphs.js';
import { escapeHtml, noticePage, amountPage } from '../../src/merchants/plates/pages.js';
import { qrMatrix, qrRuns } from '../../src/merchants/plates/qr.js';
import {
  A4,
  pageCount,
  PLATES_PER_PAGE,
  renderPlateSheet,
  sheetLayout,
} from '../../src/merchants/plates/sheet.js';

describe('sheet layout', () => {
  it('puts 12 plates on an A4 page, inside the margins, without overlaps', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), (count) => {
        const cells = sheetLayout(count);
        expect(cells).toHaveLength(count);
        expect(new Set(cells.map((c) => c.page)).size).toBe(pageCount(count));
        for (const c of cells) {
          expect(c.page).toBe(Math.floor(c.index / PLATES_PER_PAGE));
          expect(c.x).toBeGreaterThanOrEqual(20);
          expect(c.y).toBeGreaterThanOrEqual(20);
          expect(c.x + c.width).toBeLessThanOrEqual(A4.width - 20);
          expect(c.y + c.height).toBeLessThanOrEqual(A4.height - 20);
          expect(c.width).toBeGreaterThan(150);
        }
        for (const a of cells)
          for (const b of cells) {
            if (a === b || a.page !== b.page) continue;
            const apart =
              a.x + a.width <= b.x + 1e-6 ||
              b.x + b.width <= a.x + 1e-6 ||
              a.y + a.height <= b.y + 1e-6 ||
              b.y + b.height <= a.y + 1e-6;
            expect(apart).toBe(true);
          }
      }),
      { numRuns: 30 },
    );
    expect(() => sheetLayout(-1)).toThrow(RangeError);
    expect(() => sheetLayout(1.5)).toThrow(RangeError);
  });

  it('fills a page left to right, top to bottom', () => {
    const [first, second, , fourth] = sheetLayout(4);
    expect(second!.x).toBeGreaterThan(first!.x);
    expect(second!.y).toBe(first!.y);
    expect(fourth!.y).toBeLessThan(first!.y);
    expect(fourth!.x).toBe(first!.x);
  });
});

describe('QR runs', () => {
  it('cover exactly the dark modules of the matrix', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 120 }), (text) => {
        const matrix = qrMatrix(text);
        const dark = new Set<string>();
        for (const run of qrRuns(matrix)) {
          expect(run.length).toBeGreaterThan(0);
          for (let i = 0; i < run.length; i++) dark.add(`${run.row},${run.col + i}`);
        }
        for (let r = 0; r < matrix.size; r++)
          for (let c = 0; c < matrix.size; c++) expect(dark.has(`${r},${c}`)).toBe(matrix.isDark(r, c));
      }),
      { numRuns: 40 },
    );
  });
});

describe('the 扫码付款 caption glyphs', () => {
  it('are the four characters, each stroke a polyline inside the 100 × 100 box', () => {
    expect(SCAN_TO_PAY_GLYPHS.map((g) => g.char).join('')).toBe('扫码付款');
    for (const glyph of SCAN_TO_PAY_GLYPHS) {
      expect(glyph.strokes.length).toBeGreaterThanOrEqual(5);
      for (const stroke of glyph.strokes) {
        expect(stroke.length).toBeGreaterThanOrEqual(2);
        for (const [x, y] of stroke) {
          expect(x).toBeGreaterThanOrEqual(0);
          expect(x).toBeLessThanOrEqual(100);
          expect(y).toBeGreaterThanOrEqual(0);
          expect(y).toBeLessThanOrEqual(100);
        }
      }
    }
  });
});

describe('renderPlateSheet', () => {
  it('renders pages for the plates, reports progress per plate and names the batch', async () => {
    const plates = Array.from({ length: 25 }, (_, i) => ({
      code: `ABCDEFGHJKLMN${String(i).padStart(3, '2').replace(/[01]/g, '2')}`,
      url: `http://127.0.0.1:3000/q/X${i}`,
      seq: i + 1,
      amount: i % 2 ? 100 : null,
    }));
    const progress: number[] = [];
    const bytes = await renderPlateSheet(plates, {
      title: 'JuhePay plates - batch pbt_x',
      createdAt: new Date(Date.UTC(2026, 0, 1)),
      onProgress: (done, total) => {
        expect(total).toBe(25);
        progress.push(done);
      },
    });
    expect(progress).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    const pdf = await PDFDocument.load(bytes);
    expect(pdf.getPageCount()).toBe(3);
    expect(pdf.getTitle()).toBe('JuhePay plates - batch pbt_x');
    expect(pdf.getCreationDate()?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    const { width, height } = pdf.getPage(0).getSize();
    expect([Math.round(width), Math.round(height)]).toEqual([595, 842]);
  });
});

describe('plate pages', () => {
  it('escape every HTML-special character', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(escapeHtml(s)).not.toMatch(/[<>"']/);
        const page = amountPage({ code: 'ABCD', merchantName: s, storeName: s, value: s });
        expect(page.split('<script').length).toBe(1);
      }),
    );
  });

  it('are Chinese first, with English', () => {
    const page = noticePage('not_activated', 'ABCDEFGHJKLMNPQR');
    expect(page.indexOf('尚未激活')).toBeLessThan(page.indexOf('not activated'));
    expect(page).toContain('lang="zh-CN"');
    expect(page).toContain('ABCD EFGH JKLM NPQR');
  });
});
