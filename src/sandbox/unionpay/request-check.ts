import { X509Certificate } from 'node:crypto';
import { AcpFormatError, decodeForm, type AcpFields } from '../../channels/unionpay/protocol/form.js';
import { operationOf, type AcpOperation } from '../../channels/unionpay/protocol/requests.js';
import type { KnownRespCode } from '../../channels/unionpay/status.js';
import { verifyAcpSignature } from '../../channels/unionpay/protocol/signature.js';
import { parseTxnTime } from '../../channels/unionpay/protocol/txn-time.js';
import type { UnionpaySandboxKeys } from '../keys.js';
import { rawSafe } from './messages.js';

/**
 * The gateway's checks on a merchant request, in the order it makes them: parse (10), which
 * transaction (10), required fields (13), version/encoding/signMethod (10), certId and signature
 * against the merchant's sign certificate (11 验证签名失败), merId (31 商户状态不正确), formats (10).
 */

export type Checked =
  | { ok: true; op: AcpOperation; fields: AcpFields }
  | { ok: false; code: KnownRespCode; reason: string; fields: AcpFields; op?: AcpOperation };

const COMMON = [
  'version',
  'encoding',
  'signMethod',
  'certId',
  'signature',
  'txnType',
  'txnSubType',
  'bizType',
  'accessType',
  'merId',
];
const REQUIRED: Record<AcpOperation, string[]> = {
  c2b: ['orderId', 'txnTime', 'txnAmt', 'currencyCode', 'channelType', 'backUrl'],
  b2c: ['orderId', 'txnTime', 'txnAmt', 'currencyCode', 'channelType', 'qrNo'],
  query: [],
  cancel: ['orderId', 'txnTime', 'txnAmt', 'channelType', 'origQryId', 'backUrl'],
  refund: ['orderId', 'txnTime', 'txnAmt', 'currencyCode', 'channelType', 'origQryId', 'backUrl'],
  file: ['txnTime', 'settleDate', 'fileType'],
};

/** ACP orderId: 8–40 letters and digits, no '-' or '_' */
const ORDER_ID = /^[0-9A-Za-z]{8,40}$/;
const AMOUNT = /^[1-9]\d{0,11}$/;

function formatProblem(op: AcpOperation, f: AcpFields): string | undefined {
  const unsafe = Object.keys(f).find((k) => !rawSafe(f[k]!));
  if (unsafe) return `${unsafe} holds '&' outside {…}`;
  if (f.orderId !== undefined && !ORDER_ID.test(f.orderId)) return 'orderId must be 8–40 letters or digits';
  if (f.txnTime !== undefined && !parseTxnTime(f.txnTime)) return 'txnTime must be yyyyMMddHHmmss';
  if (f.txnAmt !== undefined && !AMOUNT.test(f.txnAmt)) return 'txnAmt must be a positive integer of fen';
  if (f.currencyCode !== undefined && f.currencyCode !== '156') return 'currencyCode must be 156';
  if (f.backUrl !== undefined && !/^https?:\/\/\S+$/.test(f.backUrl)) return 'backUrl must be an http(s) URL';
  if (op === 'b2c' && !/^\d{16,24}$/.test(f.qrNo ?? '')) return 'qrNo must be digits';
  if (op === 'query' && !f.queryId && !(f.orderId && f.txnTime))
    return 'query needs orderId and txnTime, or queryId';
  if (op === 'file' && !/^(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/.test(f.settleDate ?? ''))
    return 'settleDate must be MMdd';
  if (!['0', '1', '2'].includes(f.accessType ?? '')) return 'accessType must be 0, 1 or 2';
  return undefined;
}

export function checkRequest(
  body: unknown,
  allowed: readonly AcpOperation[],
  keys: UnionpaySandboxKeys,
  /** merIds the channel registered through onboarding, besides the sandbox's own test merchant */
  isRegisteredMerId: (merId: string) => boolean = () => false,
): Checked {
  let fields: AcpFields;
  try {
    fields = decodeForm(typeof body === 'string' ? body : '');
  } catch (error) {
    return {
      ok: false,
      code: '10',
      reason: error instanceof AcpFormatError ? error.message : 'unreadable form',
      fields: {},
    };
  }
  const op = operationOf(fields.txnType, fields.txnSubType);
  if (!op || !allowed.includes(op))
    return { ok: false, code: '10', reason: 'txnType/txnSubType not served here', fields };
  const missing = [...COMMON, ...REQUIRED[op]].find((k) => !fields[k]);
  if (missing) return { ok: false, code: '13', reason: `${missing} is missing`, fields, op };
  if (
    fields.version !== '5.1.0' ||
    fields.encoding!.toUpperCase() !== 'UTF-8' ||
    fields.signMethod !== '01'
  ) {
    return {
      ok: false,
      code: '10',
      reason: 'only version 5.1.0, encoding UTF-8, signMethod 01 are served',
      fields,
      op,
    };
  }
  if (
    fields.certId !== keys.cert_id ||
    !verifyAcpSignature(fields, new X509Certificate(keys.sign_cert_pem))
  ) {
    return {
      ok: false,
      code: '11',
      reason: 'signature does not verify with the certificate of certId',
      fields,
      op,
    };
  }
  if (fields.merId !== keys.mer_id && !isRegisteredMerId(fields.merId ?? '')) {
    return { ok: false, code: '31', reason: 'unknown merId', fields, op };
  }
  const problem = formatProblem(op, fields);
  if (problem) return { ok: false, code: '10', reason: problem, fields, op };
  return { ok: true, op, fields };
}
