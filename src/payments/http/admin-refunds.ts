import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AbnormalRefundTarget } from '../../channels/channel.js';
import {
  ABNORMAL_REFUND_BANKS,
  BANK_ACCOUNT_PATTERN,
} from '../../channels/wechatpay/protocol/abnormal-refund.js';
import { ApiError } from '../../core/errors.js';
import { applyAbnormalRefund, listRefunds } from '../abnormal-refunds.js';
import { adminRefundObject, type RefundRow } from '../refund-view.js';
import { IdParam, Strict } from '../../http/schemas.js';
import { adminActor } from '../../merchants/index.js';
import type { PaymentRouteDeps } from './deps.js';

const security = [{ adminToken: [] }];

/**
 * Refunds for operators: every refund across merchants, filterable by status, so abnormal ones
 * (the money left the merchant, the customer's card could not take it) are found and redirected
 * through the channel's abnormal-refund call. Redirections are audited without the card's details.
 */

const ApplyAbnormalBody = Strict({
  type: Type.Union([Type.Literal('USER_BANK_CARD'), Type.Literal('MERCHANT_BANK_CARD')], {
    description:
      "USER_BANK_CARD: the customer's debit card (bank_type, bank_account, real_name); MERCHANT_BANK_CARD: back to the merchant's settlement account",
  }),
  bank_type: Type.Optional(
    Type.String({ maxLength: 16, description: `one of ${Object.keys(ABNORMAL_REFUND_BANKS).join(', ')}` }),
  ),
  bank_account: Type.Optional(Type.String({ maxLength: 30, description: 'the debit card number, digits' })),
  real_name: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 64,
      pattern: '^[^\\u0000-\\u001f\\u007f]+$',
      description: "the card holder's name",
    }),
  ),
});
type ApplyAbnormal = {
  type: 'USER_BANK_CARD' | 'MERCHANT_BANK_CARD';
  bank_type?: string;
  bank_account?: string;
  real_name?: string;
};

/** Pure: the body → the channel's target, or a 422 naming the field (WeChat's rules: the only channel with abnormal refunds). */
export function abnormalTargetOf(body: ApplyAbnormal): AbnormalRefundTarget {
  if (body.type === 'MERCHANT_BANK_CARD') {
    const extra = (['bank_type', 'bank_account', 'real_name'] as const).find((k) => body[k] !== undefined);
    if (extra) throw new ApiError('validation_failed', `${extra} is only for USER_BANK_CARD`, extra);
    return { type: 'MERCHANT_BANK_CARD' };
  }
  if (!body.bank_type || !Object.hasOwn(ABNORMAL_REFUND_BANKS, body.bank_type))
    throw new ApiError(
      'validation_failed',
      `bank_type must be one of the debit cards the channel pays to: ${Object.keys(ABNORMAL_REFUND_BANKS).join(', ')}`,
      'bank_type',
    );
  if (!body.bank_account || !BANK_ACCOUNT_PATTERN.test(body.bank_account))
    throw new ApiError(
      'validation_failed',
      'bank_account must be the card number (10–30 digits)',
      'bank_account',
    );
  if (!body.real_name?.trim())
    throw new ApiError('validation_failed', "real_name (the card holder's name) is required", 'real_name');
  return {
    type: 'USER_BANK_CARD',
    bankType: body.bank_type,
    bankAccount: body.bank_account,
    realName: body.real_name.trim(),
  };
}

export function registerAdminRefundRoutes(scope: FastifyInstance, ctx: PaymentRouteDeps): void {
  const tags = ['admin: payments'];
  const deps = { clock: ctx.clock, publicUrl: ctx.publicUrl, channels: ctx.channels };

  scope.get(
    '/refunds',
    {
      schema: {
        tags,
        security,
        summary:
          'List refunds across merchants, newest first (status=abnormal: those waiting for an operator)',
        querystring: Strict({
          status: Type.Optional(
            Type.Union([
              Type.Literal('pending'),
              Type.Literal('succeeded'),
              Type.Literal('failed'),
              Type.Literal('abnormal'),
            ]),
          ),
          merchant_id: Type.Optional(IdParam('mch')),
          order_id: Type.Optional(IdParam('ord')),
          limit: Type.Optional(
            Type.String({ pattern: '^([1-9]|[1-9][0-9]|100)$', description: '1…100, default 50' }),
          ),
          starting_after: Type.Optional(IdParam('rfd')),
        }),
      },
    },
    async (request) => {
      const q = request.query as {
        status?: RefundRow['status'];
        merchant_id?: string;
        order_id?: string;
        limit?: string;
        starting_after?: string;
      };
      return listRefunds(ctx.db, q, { limit: Number(q.limit ?? 50), startingAfter: q.starting_after });
    },
  );

  scope.post(
    '/refunds/:id/apply-abnormal-refund',
    {
      schema: {
        tags,
        security,
        summary:
          "Send an abnormal refund to the customer's debit card or back to the merchant's settlement account (WeChat apply-abnormal-refund); it is pending again until the channel pays it",
        params: Strict({ id: IdParam('rfd') }),
        body: ApplyAbnormalBody,
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const target = abnormalTargetOf(request.body as ApplyAbnormal);
      const after = await applyAbnormalRefund(ctx.db, id, target, deps, adminActor(request));
      return adminRefundObject(after);
    },
  );
}
