import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../../../core/errors.js';
import { rejectInvalidJson } from '../../../http/body.js';
import type { PlatformContext } from '../../../platform/context.js';
import { sendError } from '../../../http/errors.js';
import { ErrorResponse, Strict } from '../../../http/schemas.js';
import { findPlateForPage } from '../store.js';
import type { PlateOrderCreator } from '../orders.js';
import { AMOUNT_ERROR, amountPage, noticePage, PAGE_HEADERS } from '../pages.js';
import {
  MAX_AMOUNT_FEN,
  MIN_AMOUNT_FEN,
  normalizePlateCode,
  pageState,
  parseYuanInput,
  type PageState,
} from '../rules.js';

const tags = ['cashier'];
const FORM_LIMIT = 4 * 1024;

type PagePlate = NonNullable<Awaited<ReturnType<typeof findPlateForPage>>>;

function wantsJson(request: FastifyRequest): boolean {
  return /application\/json/i.test(request.headers.accept ?? '');
}

function sendPage(reply: FastifyReply, status: number, html: string) {
  return reply.code(status).headers(PAGE_HEADERS).send(html);
}

/**
 * Each state that is not payable: its HTTP status and the JSON error a client gets (its page is
 * the notice of the same name).
 */
const REFUSALS: Record<Exclude<PageState, 'ready'>, { status: number; message: string }> = {
  not_activated: {
    status: 200,
    message: 'this plate is not activated (not bound to a merchant)',
  },
  disabled: { status: 410, message: 'this plate is disabled' },
  merchant_unavailable: {
    status: 403,
    message: "this plate's merchant cannot accept payments",
  },
};

async function loadPlate(ctx: PlatformContext, raw: string) {
  const code = normalizePlateCode(raw);
  const plate = code ? await findPlateForPage(ctx.db, code) : undefined;
  if (!plate) return undefined;
  const state = pageState(
    { status: plate.status, merchantId: plate.merchant_id, storeId: plate.store_id },
    plate.merchant_status,
  );
  return { plate, state };
}

function plateMissing(request: FastifyRequest, reply: FastifyReply, raw: string) {
  if (!wantsJson(request)) return sendPage(reply, 404, noticePage('not_found'));
  return sendError(request, reply, new ApiError('resource_missing', `no plate ${raw}`, 'plate_code'));
}

/**
 * Why an amount cannot be paid, if it cannot: null means unparseable (a form), undefined means
 * absent (fine only for a fixed-price plate, whose price must then match any amount sent).
 */
function amountProblem(
  amount: number | null | undefined,
  fixed: number | null,
  form: boolean,
): ApiError | undefined {
  if (amount === null) {
    return new ApiError(
      'parameter_invalid',
      'amount must be yuan with at most two decimals, 0.01…1000000',
      'amount',
    );
  }
  if (amount === undefined) {
    return fixed === null
      ? new ApiError('parameter_missing', 'field amount is required', 'amount')
      : undefined;
  }
  if (fixed !== null && amount !== fixed && !form) {
    return new ApiError('validation_failed', `this plate's price is fixed at ${fixed} fen`, 'amount');
  }
  return undefined;
}

/** Creates the order; on the HTML path failures become pages, on the JSON path error objects. */
async function pay(
  orders: PlateOrderCreator,
  request: FastifyRequest,
  reply: FastifyReply,
  plate: PagePlate,
  amountFen: number,
  json: boolean,
) {
  try {
    const order = await orders.createPlateOrder({
      merchantId: plate.merchant_id!,
      storeId: plate.store_id,
      amountFen,
      plateCode: plate.code,
      clientIp: request.ip,
    });
    if (json) return reply.code(201).send({ order_id: order.order_id, cashier_url: order.cashier_url });
    return reply.code(303).header('cache-control', 'no-store').redirect(order.cashier_url);
  } catch (error) {
    if (json || !(error instanceof ApiError)) throw error; // the app's handler renders it
    if (error.code === 'service_unavailable')
      return sendPage(reply, 503, noticePage('payments_unavailable', plate.code));
    const page = amountPage({
      code: plate.code,
      merchantName: plate.merchant_name ?? '',
      storeName: plate.store_name,
      error: { zh: '无法创建订单', en: `Could not create the order: ${error.message}` },
    });
    return sendPage(reply, error.status, page);
  }
}

/** The static plate pages: GET/POST /q/{plate_code} (CONTRACT §4). */
/** The customer's pages of a plate; `orders` places the order an amount typed there becomes. */
export function registerPlatePages(
  app: FastifyInstance,
  ctx: PlatformContext,
  orders: PlateOrderCreator,
): void {
  void app.register(async (scope) => {
    // the amount page posts a plain HTML form, so this scope (only) also reads urlencoded bodies
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: FORM_LIMIT },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    scope.addHook('preValidation', async (request) => rejectInvalidJson(request));

    scope.get(
      '/q/:plate_code',
      {
        schema: {
          tags,
          summary:
            'Static plate page: not activated, amount entry, or straight to the cashier for a fixed price',
          description:
            'With Accept: application/json answers { object: "plate_page", code, state, amount, merchant_name, store_name }; ' +
            'state is ready, not_activated, disabled or merchant_unavailable.',
          params: Strict({ plate_code: Type.String({ maxLength: 64 }) }),
          response: { 404: ErrorResponse },
        },
      },
      async (request, reply) => {
        const raw = (request.params as { plate_code: string }).plate_code;
        const found = await loadPlate(ctx, raw);
        if (!found) return plateMissing(request, reply, raw);
        const { plate, state } = found;
        if (wantsJson(request)) {
          return {
            object: 'plate_page',
            code: plate.code,
            state,
            amount: plate.amount,
            merchant_name: state === 'ready' ? plate.merchant_name : null,
            store_name: state === 'ready' ? plate.store_name : null,
          };
        }
        if (state !== 'ready') return sendPage(reply, REFUSALS[state].status, noticePage(state, plate.code));
        if (plate.amount !== null) return pay(orders, request, reply, plate, plate.amount, false);
        return sendPage(
          reply,
          200,
          amountPage({
            code: plate.code,
            merchantName: plate.merchant_name ?? '',
            storeName: plate.store_name,
          }),
        );
      },
    );

    scope.post(
      '/q/:plate_code',
      {
        schema: {
          tags,
          summary: 'Pay a static plate: creates an order for its merchant/store and answers its cashier URL',
          description:
            'JSON { amount } (fen; optional for a fixed-price plate, and then it must equal the price) answers 201 ' +
            '{ order_id, cashier_url }. The page posts a form with amount in yuan and is redirected (303) to the cashier.',
          params: Strict({ plate_code: Type.String({ maxLength: 64 }) }),
          body: {
            content: {
              'application/json': {
                schema: Strict({
                  amount: Type.Optional(Type.Integer({ minimum: MIN_AMOUNT_FEN, maximum: MAX_AMOUNT_FEN })),
                }),
              },
              'application/x-www-form-urlencoded': {
                schema: Type.Object({ amount: Type.Optional(Type.String()) }),
              },
            },
          },
          response: {
            201: Type.Object({ order_id: Type.String(), cashier_url: Type.String() }),
            404: ErrorResponse,
          },
        },
      },
      async (request, reply) => {
        const raw = (request.params as { plate_code: string }).plate_code;
        const form = /x-www-form-urlencoded/i.test(request.headers['content-type'] ?? '');
        const json = !form || wantsJson(request);
        const found = await loadPlate(ctx, raw);
        if (!found) return plateMissing(request, reply, raw);
        const { plate, state } = found;
        if (state !== 'ready') {
          if (!json) return sendPage(reply, REFUSALS[state].status, noticePage(state, plate.code));
          throw new ApiError('state_conflict', REFUSALS[state].message, 'plate_code');
        }
        const body = (request.body ?? {}) as { amount?: number | string };
        const typed = typeof body.amount === 'string' ? body.amount : '';
        // JSON carries fen (validated by the schema); the form carries what the customer typed, in yuan
        const amount = form
          ? typed === ''
            ? undefined
            : (parseYuanInput(typed) ?? null)
          : (body.amount as number | undefined);
        const problem = amountProblem(amount, plate.amount, form);
        if (problem && json) throw problem;
        if (problem) {
          const page = amountPage({
            code: plate.code,
            merchantName: plate.merchant_name ?? '',
            storeName: plate.store_name,
            value: typed.slice(0, 12),
            error: AMOUNT_ERROR,
          });
          return sendPage(reply, 400, page);
        }
        return pay(orders, request, reply, plate, (amount ?? plate.amount)!, json);
      },
    );
  });
}
