/**
 * ACP respCode / origRespCode, in one table. `success` = done; `unknown` = ask again by query
 * (03/04/05); `not_found` = the channel has no such transaction (34); `failed` = final failure.
 * `retryable` marks answers where the request was not processed and may be sent again as is.
 */

export type AcpOutcome = 'success' | 'unknown' | 'not_found' | 'failed';

export interface AcpRespCode {
  message: string;
  outcome: AcpOutcome;
  retryable?: boolean;
}

export const ACP_RESP_CODES = {
  '00': { message: '成功', outcome: 'success' },
  '01': { message: '交易失败', outcome: 'failed' },
  '02': { message: '系统未开放或暂时关闭，请稍后再试', outcome: 'failed', retryable: true },
  '03': { message: '交易通讯超时，请发起查询交易', outcome: 'unknown' },
  '04': { message: '交易状态未明，请查询对账结果', outcome: 'unknown' },
  '05': { message: '交易已受理，请稍后查询交易结果', outcome: 'unknown' },
  '06': { message: '系统繁忙，请稍后再试', outcome: 'failed', retryable: true },
  '10': { message: '报文格式错误', outcome: 'failed' },
  '11': { message: '验证签名失败', outcome: 'failed' },
  '12': { message: '重复交易', outcome: 'failed' },
  '13': { message: '报文交易要素缺失', outcome: 'failed' },
  '31': { message: '商户状态不正确', outcome: 'failed' },
  '32': { message: '无此交易权限', outcome: 'failed' },
  '34': { message: '查无此交易', outcome: 'not_found' },
  '35': { message: '原交易不存在或状态不正确', outcome: 'failed' },
  '36': { message: '与原交易信息不符', outcome: 'failed' },
  '44': { message: '输入号码错误或暂未开通此项业务', outcome: 'failed' },
  '64': { message: '卡上的余额不足', outcome: 'failed' },
  '69': { message: '您的输入超时，交易失败', outcome: 'failed' },
  '98': { message: '文件不存在', outcome: 'failed' },
  '99': { message: '通用错误', outcome: 'failed' },
} as const satisfies Record<string, AcpRespCode>;

export type KnownRespCode = keyof typeof ACP_RESP_CODES;

/** Any code not in the table is a failure (the channel said no, in a way we do not know). */
export function classifyRespCode(code: string | undefined): AcpRespCode {
  if (code !== undefined && Object.hasOwn(ACP_RESP_CODES, code)) return ACP_RESP_CODES[code as KnownRespCode];
  return { message: `unknown respCode ${code ?? '(missing)'}`, outcome: 'failed' };
}
