import type { Fen } from '../../core/money.js';

/**
 * Validation of the partner JSAPI / Native order body. A failure names the field and the issue, which
 * the route turns into WeChat's 400 PARAM_ERROR with `detail`.
 */

export interface OrderInput {
  sp_appid: string;
  sp_mchid: string;
  sub_appid?: string;
  sub_mchid: string;
  description: string;
  out_trade_no: string;
  time_expire?: Date;
  attach?: string;
  notify_url: string;
  total: Fen;
  payer: { sp_openid?: string; sub_openid?: string };
  device_id?: string;
}

export type Invalid = { field: string; issue: string; value?: unknown };

const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{6,32}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

const str = (v: unknown, min: number, max: number): v is string =>
  typeof v === 'string' && [...v].length >= min && [...v].length <= max;

export function validateOrder(body: Record<string, unknown>, withPayer: boolean): OrderInput | Invalid {
  const b = body;
  if (!str(b.sp_appid, 1, 32)) return { field: 'sp_appid', issue: '字段必填，长度1-32', value: b.sp_appid };
  if (!str(b.sp_mchid, 1, 32)) return { field: 'sp_mchid', issue: '字段必填，长度1-32', value: b.sp_mchid };
  if (!str(b.sub_mchid, 1, 32) || !/^\d+$/.test(b.sub_mchid))
    return { field: 'sub_mchid', issue: '字段必填，为数字商户号', value: b.sub_mchid };
  if (b.sub_appid !== undefined && !str(b.sub_appid, 1, 32))
    return { field: 'sub_appid', issue: '长度1-32', value: b.sub_appid };
  if (!str(b.description, 1, 127))
    return { field: 'description', issue: '字段必填，长度1-127', value: b.description };
  if (typeof b.out_trade_no !== 'string' || !OUT_TRADE_NO.test(b.out_trade_no)) {
    return { field: 'out_trade_no', issue: '6-32个字符，只能是数字、大小写字母_-|*', value: b.out_trade_no };
  }
  if (b.attach !== undefined && !str(b.attach, 0, 128))
    return { field: 'attach', issue: '长度不能超过128', value: b.attach };
  // WeChat requires https in production; the sandbox accepts http so local receivers work
  if (
    typeof b.notify_url !== 'string' ||
    !/^https?:\/\/[^\s?#]+$/.test(b.notify_url) ||
    b.notify_url.length > 255
  ) {
    return { field: 'notify_url', issue: '必须为合法的URL，不能携带参数', value: b.notify_url };
  }
  let timeExpire: Date | undefined;
  if (b.time_expire !== undefined) {
    if (
      typeof b.time_expire !== 'string' ||
      !RFC3339.test(b.time_expire) ||
      Number.isNaN(Date.parse(b.time_expire))
    ) {
      return { field: 'time_expire', issue: '必须为rfc3339格式', value: b.time_expire };
    }
    timeExpire = new Date(b.time_expire);
  }
  const amount = b.amount as Record<string, unknown> | undefined;
  if (!amount || typeof amount !== 'object' || Array.isArray(amount))
    return { field: 'amount', issue: '字段必填', value: b.amount };
  if (typeof amount.total !== 'number' || !Number.isSafeInteger(amount.total) || amount.total < 1) {
    return { field: 'amount/total', issue: '必须为正整数，单位为分', value: amount.total };
  }
  if (amount.currency !== undefined && amount.currency !== 'CNY')
    return { field: 'amount/currency', issue: '境内商户仅支持CNY', value: amount.currency };
  const payer: OrderInput['payer'] = {};
  if (withPayer) {
    const p = b.payer as Record<string, unknown> | undefined;
    if (!p || typeof p !== 'object') return { field: 'payer', issue: 'JSAPI下单必填', value: b.payer };
    if (p.sp_openid !== undefined && !str(p.sp_openid, 1, 128))
      return { field: 'payer/sp_openid', issue: '长度1-128', value: p.sp_openid };
    if (p.sub_openid !== undefined && !str(p.sub_openid, 1, 128))
      return { field: 'payer/sub_openid', issue: '长度1-128', value: p.sub_openid };
    if (p.sp_openid === undefined && p.sub_openid === undefined)
      return { field: 'payer', issue: 'sp_openid和sub_openid必须二选一', value: p };
    if (p.sub_openid !== undefined && b.sub_appid === undefined)
      return { field: 'sub_appid', issue: '传sub_openid时sub_appid必填', value: null };
    if (typeof p.sp_openid === 'string') payer.sp_openid = p.sp_openid;
    if (typeof p.sub_openid === 'string') payer.sub_openid = p.sub_openid;
  }
  const scene = b.scene_info as Record<string, unknown> | undefined;
  return {
    sp_appid: b.sp_appid,
    sp_mchid: b.sp_mchid,
    ...(typeof b.sub_appid === 'string' ? { sub_appid: b.sub_appid } : {}),
    sub_mchid: b.sub_mchid,
    description: b.description,
    out_trade_no: b.out_trade_no,
    ...(timeExpire ? { time_expire: timeExpire } : {}),
    ...(typeof b.attach === 'string' ? { attach: b.attach } : {}),
    notify_url: b.notify_url,
    total: amount.total,
    payer,
    ...(scene && typeof scene.device_id === 'string' ? { device_id: scene.device_id } : {}),
  };
}

export function isInvalid(v: OrderInput | Invalid): v is Invalid {
  return 'issue' in v;
}
