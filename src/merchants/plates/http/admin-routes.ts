import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { PlatformContext } from '../../../platform/context.js';
import { ErrorResponse, IdParam, Strict } from '../../../http/schemas.js';
import { applyPlateAction, createPlateBatch } from '../changes.js';
import { getBatch, getPlate, listBatchPlates, plateObject } from '../store.js';
import { plateQrPng } from '../qr.js';
import {
  MAX_AMOUNT_FEN,
  MAX_API_BATCH_SIZE,
  MIN_AMOUNT_FEN,
  PLATE_CODE_PATTERN,
  plateUrl,
  type PlateAction,
} from '../rules.js';

const tags = ['admin: plates'];
const security = [{ adminToken: [] }];
const Amount = Type.Integer({
  minimum: MIN_AMOUNT_FEN,
  maximum: MAX_AMOUNT_FEN,
  description: 'fixed price in fen: customers scanning the plate skip the amount entry',
});
const CodeParams = Strict({
  code: Type.String({
    pattern: PLATE_CODE_PATTERN,
    description: 'plate code: 16 of 2-9, A-Z without I and O',
  }),
});
const BatchParams = Strict({ batch_id: IdParam('pbt') });
const errors = { 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };

type Batch = Awaited<ReturnType<typeof getBatch>>;

function batchObject(batch: Batch, ctx: PlatformContext) {
  return {
    object: 'plate_batch' as const,
    batch_id: batch.id,
    count: batch.count,
    amount: batch.amount,
    created_by: batch.created_by,
    created_at: batch.created_at.toISOString(),
    sheet_url: `${ctx.publicUrl.replace(/\/+$/, '')}/admin/v1/plates/batches/${batch.id}/sheet.pdf`,
  };
}

/** Plate batches, sheets and binding under /admin/v1 (CONTRACT §3). */
export function registerPlateAdminRoutes(scope: FastifyInstance, ctx: PlatformContext): void {
  scope.post(
    '/plates',
    {
      schema: {
        tags,
        summary: 'Create a batch of blank plates (码牌) to print',
        security,
        body: Strict({
          count: Type.Integer({ minimum: 1, maximum: MAX_API_BATCH_SIZE }),
          amount: Type.Optional(Amount),
        }),
      },
    },
    async (request, reply) => {
      const body = request.body as { count: number; amount?: number };
      const batch = await createPlateBatch(ctx.db, body.count, body.amount ?? null, ctx.clock, {
        createdBy: 'admin_api',
      });
      return reply.code(201).send({
        ...batchObject(batch.row, ctx),
        plates: batch.codes.map((code) => ({ code, url: plateUrl(ctx.publicUrl, code) })),
      });
    },
  );

  scope.get(
    '/plates/batches/:batch_id',
    {
      schema: {
        tags,
        summary: 'Retrieve a plate batch and its plates',
        security,
        params: BatchParams,
        response: errors,
      },
    },
    async (request) => {
      const { batch_id } = request.params as { batch_id: string };
      const batch = await getBatch(ctx.db, batch_id);
      const plates = await listBatchPlates(ctx.db, batch_id);
      return { ...batchObject(batch, ctx), plates: plates.map((p) => plateObject(p, ctx.publicUrl)) };
    },
  );

  scope.get(
    '/plates/batches/:batch_id/sheet.pdf',
    {
      schema: {
        tags,
        summary: 'Printable A4 sheet of a batch: 12 plates a page, QR code, caption and plate number',
        security,
        params: BatchParams,
        produces: ['application/pdf'],
        response: errors,
      },
    },
    async (request, reply) => {
      const { batch_id } = request.params as { batch_id: string };
      const batch = await getBatch(ctx.db, batch_id);
      const plates = await listBatchPlates(ctx.db, batch_id);
      const { renderPlateSheet } = await import('../sheet.js'); // pdf-lib loads on the first sheet
      const pdf = await renderPlateSheet(
        plates.map((p) => ({
          code: p.code,
          url: plateUrl(ctx.publicUrl, p.code),
          seq: p.seq,
          amount: p.amount,
        })),
        { title: `JuhePay plates - batch ${batch.id}`, createdAt: batch.created_at },
      );
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="plates-${batch.id}.pdf"`)
        .send(Buffer.from(pdf));
    },
  );

  scope.get(
    '/plates/:code',
    { schema: { tags, summary: 'Retrieve a plate', security, params: CodeParams, response: errors } },
    async (request) =>
      plateObject(await getPlate(ctx.db, (request.params as { code: string }).code), ctx.publicUrl),
  );

  scope.get(
    '/plates/:code/qr.png',
    {
      schema: {
        tags,
        summary: "A plate's QR code as a PNG (8 px per module)",
        security,
        params: CodeParams,
        produces: ['image/png'],
        response: errors,
      },
    },
    async (request, reply) => {
      const plate = await getPlate(ctx.db, (request.params as { code: string }).code);
      const png = await plateQrPng(plateUrl(ctx.publicUrl, plate.code));
      return reply
        .type('image/png')
        .header('content-disposition', `inline; filename="plate-${plate.code}.png"`)
        .send(png);
    },
  );

  const change = async (code: string, action: PlateAction) =>
    plateObject(await applyPlateAction(ctx.db, code, action, ctx.clock, ctx.publicUrl), ctx.publicUrl);

  scope.post(
    '/plates/:code/bind',
    {
      schema: {
        tags,
        summary: 'Bind a plate to a merchant and optionally one of its stores',
        description:
          'Binding again to the same merchant and store is a no-op; another target needs unbind first.',
        security,
        params: CodeParams,
        body: Strict({ merchant_id: IdParam('mch'), store_id: Type.Optional(IdParam('sto')) }),
        response: { ...errors, 422: ErrorResponse },
      },
    },
    async (request) => {
      const { code } = request.params as { code: string };
      const body = request.body as { merchant_id: string; store_id?: string };
      return change(code, { type: 'bind', merchantId: body.merchant_id, storeId: body.store_id ?? null });
    },
  );

  const simple = {
    unbind: 'Unbind a plate: it shows "not activated" again (a disabled plate stays disabled)',
    disable: 'Disable a plate (lost, damaged): its page refuses payment; the binding is kept',
    enable: 'Enable a disabled plate again',
  } as const;
  for (const [type, summary] of Object.entries(simple) as Array<[keyof typeof simple, string]>) {
    scope.post(
      `/plates/:code/${type}`,
      { schema: { tags, summary, security, params: CodeParams, response: errors } },
      async (request) => change((request.params as { code: string }).code, { type }),
    );
  }
}
