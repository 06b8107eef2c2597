import { Type } from 'typebox';
import { Strict } from '../../http/schemas.js';

/** Request schemas of the order endpoints (CONTRACT §2). */

/** Ways an order can be forced to; payment codes have their own endpoint (POST /v1/orders/micropay). */
export const PAY_WAYS = [
  'wechat_jsapi',
  'wechat_native',
  'alipay_jsapi',
  'alipay_qr',
  'alipay_wap',
  'unionpay_qr',
  'qqwallet_jsapi',
  'jdpay_h5',
  'baiduwallet_h5',
] as const;

const HttpUrl = Type.String({ maxLength: 1024, pattern: '^https?://[^\\s]+$', description: 'http(s) URL' });

export const orderFields = {
  mch_order_no: Type.String({
    minLength: 1,
    maxLength: 64,
    pattern: '^[A-Za-z0-9_-]+$',
    description: 'your order number, unique per app',
  }),
  amount: Type.Integer({ minimum: 1, maximum: 100_000_000, description: 'integer fen' }),
  subject: Type.String({ minLength: 1, maxLength: 128 }),
  notify_url: Type.Optional(HttpUrl),
  return_url: Type.Optional(HttpUrl),
  expires_in: Type.Optional(
    Type.Integer({ minimum: 60, maximum: 86_400, description: 'seconds, default 900' }),
  ),
  store_id: Type.Optional(Type.String({ pattern: '^sto_[0-9a-z]{26}$' })),
  terminal_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  client_ip: Type.Optional(Type.String({ minLength: 2, maxLength: 45, pattern: '^[0-9A-Fa-f:.]+$' })),
  customer_id: Type.Optional(
    Type.String({ minLength: 1, maxLength: 64, description: 'your id for the customer (profiles, risk)' }),
  ),
  device_id: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 128,
      description: "the customer's device as you know it (risk rules)",
    }),
  ),
  metadata: Type.Optional(
    Type.Record(Type.String({ minLength: 1, maxLength: 40 }), Type.String({ maxLength: 500 }), {
      maxProperties: 20,
      description: 'up to 20 string pairs',
    }),
  ),
};

export const CreateOrderBody = Strict({
  ...orderFields,
  pay_way: Type.Optional(
    Type.Union(
      PAY_WAYS.map((w) => Type.Literal(w)),
      { description: 'force one way; default: chosen at scan' },
    ),
  ),
});

export const MicropayBody = Strict({
  ...orderFields,
  auth_code: Type.String({ pattern: '^[0-9A-Za-z]{10,32}$', description: "the customer's payment code" }),
});
