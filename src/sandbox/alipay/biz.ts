import { fromYuanString, type Fen } from '../../core/money.js';
import {
  biz as bizError,
  missingBizParam,
  type GatewayResult,
} from '../../channels/alipay/protocol/codes.js';

/**
 * Reading biz_content fields: clients send strings, some send numbers (total_amount: 0.01);
 * a missing or malformed field becomes the gateway's own error result, thrown as BizInputError.
 */

export class BizInputError extends Error {
  constructor(readonly result: GatewayResult) {
    super(result.sub_msg ?? result.msg);
  }
}

export type Biz = Record<string, unknown>;

export function optional(biz: Biz, name: string): string | undefined {
  const value = biz[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new BizInputError(bizError.invalidParameter(name));
}

export function required(biz: Biz, name: string): string {
  const value = optional(biz, name);
  if (value === undefined) throw new BizInputError(missingBizParam(name));
  return value;
}

/** at least one of out_trade_no / trade_no */
export function tradeRef(biz: Biz): { outTradeNo?: string; tradeNo?: string } {
  const outTradeNo = optional(biz, 'out_trade_no');
  const tradeNo = optional(biz, 'trade_no');
  if (!outTradeNo && !tradeNo) throw new BizInputError(missingBizParam('out_trade_no'));
  return { outTradeNo, tradeNo };
}

const MAX_AMOUNT: Fen = 100_000_000_00; // 100 million yuan, Alipay's per-trade ceiling

/** a yuan amount in [0.01, 100000000] as fen */
export function amount(biz: Biz, name: string): Fen {
  const text = required(biz, name);
  let value: Fen;
  try {
    value = fromYuanString(text);
  } catch {
    throw new BizInputError(bizError.invalidParameter(name));
  }
  if (value < 1 || value > MAX_AMOUNT) throw new BizInputError(bizError.invalidParameter(name));
  return value;
}

const OUT_NO = /^[A-Za-z0-9_\-.]{1,64}$/;

export function outNo(biz: Biz, name: string, value = required(biz, name)): string {
  if (!OUT_NO.test(value)) throw new BizInputError(bizError.invalidParameter(name));
  return value;
}
