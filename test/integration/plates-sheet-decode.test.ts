import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine } from '../support/db.js';
import { decodeCells, requireDecodeTools } from '../support/plates-decode.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { adminInject } from '../support/admin.js';

// "Done when": a sheet of 12 plates renders to a PDF from which all 12 QR codes decode, with a real
// rasteriser (poppler's pdftoppm) and a real decoder (zbar's zbarimg), to exactly the plates' URLs.

const tools = requireDecodeTools();

describe.skipIf(!tools)('plate sheet decoding (pdftoppm + zbarimg)', () => {
  describeEachEngine('plate sheet', (ctx) => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(ctx.database);
    });
    afterAll(() => t.close());

    const admin = (method: 'GET' | 'POST', url: string, body?: unknown) =>
      adminInject(t.app, method, url, body);

    it('decodes all 12 QR codes of a 12-plate sheet to exactly the plates’ URLs', async () => {
      const batch = (await admin('POST', '/plates', { count: 12 })).json();
      const res = await admin('GET', `/plates/batches/${batch.batch_id}/sheet.pdf`);
      expect(res.statusCode).toBe(200);
      expect((await PDFDocument.load(res.rawPayload)).getPageCount()).toBe(1);
      const cells = await decodeCells(res.rawPayload, 150, 12);
      // each cell holds exactly one code: its own plate's URL, in batch order (the printed number)
      expect(cells).toEqual(batch.plates.map((p: { url: string }) => [p.url]));
    });

    it('still decodes at a coarse 100 dpi, with a fixed price printed, across two pages', async () => {
      const batch = (await admin('POST', '/plates', { count: 14, amount: 999 })).json();
      const res = await admin('GET', `/plates/batches/${batch.batch_id}/sheet.pdf`);
      expect((await PDFDocument.load(res.rawPayload)).getPageCount()).toBe(2);
      const cells = await decodeCells(res.rawPayload, 100, 14);
      expect(cells).toEqual(batch.plates.map((p: { url: string }) => [p.url]));
    });
  });
});
