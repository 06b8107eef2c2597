/**
 * Gateway result codes. `code`/`msg` pairs are fixed by Alipay; sub_codes say what went wrong.
 * sub_msg texts are Alipay's own Chinese wording where known.
 */

export interface GatewayResult {
  code: string;
  msg: string;
  sub_code?: string;
  sub_msg?: string;
}

export const SUCCESS: GatewayResult = { code: '10000', msg: 'Success' };
/** trade.pay: the buyer must enter a password; poll with trade.query */
export const PAYING: GatewayResult = { code: '10003', msg: ' order success pay inprocess' };

const MSG: Record<string, string> = {
  '20000': 'Service Currently Unavailable',
  '20001': 'Insufficient Token Permissions',
  '40001': 'Missing Required Arguments',
  '40002': 'Invalid Arguments',
  '40004': 'Business Failed',
  '40006': 'Insufficient Permissions',
};

export function failure(code: keyof typeof MSG & string, sub_code: string, sub_msg: string): GatewayResult {
  return { code, msg: MSG[code] ?? 'Business Failed', sub_code, sub_msg };
}

export const SYSTEM_ERROR = failure('20000', 'ACQ.SYSTEM_ERROR', '系统错误');
export const INVALID_APP_AUTH_TOKEN = failure('20001', 'aop.invalid-app-auth-token', '无效的应用授权令牌');
export const INVALID_METHOD = failure('40002', 'isv.invalid-method', '不存在的方法名');
export const INVALID_APP_ID = failure('40002', 'isv.invalid-app-id', '无效的AppID参数');
export const INVALID_TIMESTAMP = failure('40002', 'isv.invalid-timestamp', '非法的时间戳参数');
export const INVALID_SIGNATURE_TYPE = failure('40002', 'isv.invalid-signature-type', '无效的签名类型');
export const INVALID_CHARSET = failure('40002', 'isv.invalid-charset', '字符集错误');
export const INVALID_FORMAT = failure('40002', 'isv.invalid-format', '无效的数据格式');

/** Alipay quotes the string it verified, HTML-escaped (`&` → `&amp;`) */
export function invalidSignature(content: string): GatewayResult {
  const quoted = content.replaceAll('&', '&amp;');
  return failure(
    '40002',
    'isv.invalid-signature',
    `验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：${quoted}`,
  );
}

/** a common parameter the gateway needs (method → isv.missing-method, sign → isv.missing-signature …) */
export function missingCommon(param: string): GatewayResult {
  const name: Record<string, string> = { sign: 'signature', sign_type: 'signature-type', app_id: 'app-id' };
  return failure('40001', `isv.missing-${name[param] ?? param}`, `缺少${param}参数`);
}

export function missingBizParam(param: string): GatewayResult {
  return failure('40001', 'isv.missing-parameter', `缺少必选参数${param}`);
}

export const biz = {
  invalidParameter: (what: string) => failure('40004', 'ACQ.INVALID_PARAMETER', `参数无效:${what}`),
  tradeNotExist: () => failure('40004', 'ACQ.TRADE_NOT_EXIST', '交易不存在'),
  tradeHasSuccess: () => failure('40004', 'ACQ.TRADE_HAS_SUCCESS', '交易已被支付'),
  tradeHasClose: () => failure('40004', 'ACQ.TRADE_HAS_CLOSE', '交易已经关闭'),
  tradeStatusError: () => failure('40004', 'ACQ.TRADE_STATUS_ERROR', '交易状态不合法'),
  contextInconsistent: () => failure('40004', 'ACQ.CONTEXT_INCONSISTENT', '交易信息被篡改'),
  authCodeInvalid: () =>
    failure(
      '40004',
      'ACQ.PAYMENT_AUTH_CODE_INVALID',
      '支付失败，获取顾客账户信息失败，请顾客刷新付款码后重新收款，如再次收款失败，请联系管理员处理。[SOUNDWAVE_PARSER_FAIL]',
    ),
  balanceNotEnough: () => failure('40004', 'ACQ.BUYER_BALANCE_NOT_ENOUGH', '买家余额不足'),
  refundAmountExceeded: () => failure('40004', 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限'),
  buyerNotMatch: () => failure('40004', 'ACQ.TRADE_BUYER_NOT_MATCH', '交易买家不匹配'),
  invalidAuthCode: () => failure('40002', 'isv.code-invalid', '授权码code无效'),
  billNotExist: () => failure('40004', 'isp.bill_not_exist', '账单不存在'),
};

/** what a client should do with a result: 10000 done, 10003/20000 unknown → query, else failed */
export function resultKind(code: string): 'success' | 'unknown' | 'failed' {
  if (code === '10000') return 'success';
  if (code === '10003' || code === '20000') return 'unknown';
  return 'failed';
}
