import type { Fen } from '../../../core/money.js';
import type { AcpFields } from './form.js';
import { signAcpMessage } from './signature.js';

/**
 * ACP 5.1.0 request builders for UnionPay QR. Each returns the signed form fields; POST them
 * form-encoded to `gateway/api/backTransReq.do` (query: `queryTrans.do`); the file request goes to
 * the root of the file-transfer host (filedownload.95516.com: see ../bill.ts).
 */

export const ACP_VERSION = '5.1.0';
export const ACP_PATHS = {
  back: 'gateway/api/backTransReq.do',
  query: 'gateway/api/queryTrans.do',
  /** relative to the file-transfer URL (a client whose baseUrl is it), not the gateway */
  file: '',
} as const;

/** txnType/txnSubType of each operation; the simulator maps incoming requests with the same table. */
export const ACP_TXN = {
  c2b: { txnType: '01', txnSubType: '07' },
  b2c: { txnType: '01', txnSubType: '06' },
  query: { txnType: '00', txnSubType: '00' },
  cancel: { txnType: '31', txnSubType: '00' },
  refund: { txnType: '04', txnSubType: '00' },
  file: { txnType: '76', txnSubType: '01' },
} as const;

export type AcpOperation = keyof typeof ACP_TXN;

export function operationOf(
  txnType: string | undefined,
  txnSubType: string | undefined,
): AcpOperation | undefined {
  const entry = Object.entries(ACP_TXN).find(([, t]) => t.txnType === txnType && t.txnSubType === txnSubType);
  return entry?.[0] as AcpOperation | undefined;
}

export interface AcpMerchant {
  merId: string;
  /** the signing certificate's serial in decimal */
  certId: string;
  signPrivateKeyPem: string;
  /** 0 merchant direct (default), 1 acquirer, 2 platform */
  accessType?: '0' | '1' | '2';
}

const QR_BIZ_TYPE = '000000';
const CHANNEL_INTERNET = '08'; // 08 = mobile; QR transactions use it
const CNY = '156';

function base(m: AcpMerchant, op: AcpOperation): AcpFields {
  return {
    version: ACP_VERSION,
    encoding: 'UTF-8',
    signMethod: '01',
    certId: m.certId,
    ...ACP_TXN[op],
    bizType: QR_BIZ_TYPE,
    accessType: m.accessType ?? '0',
    merId: m.merId,
  };
}

function amount(txnAmt: Fen): string {
  if (!Number.isSafeInteger(txnAmt) || txnAmt <= 0)
    throw new RangeError(`txnAmt must be a positive integer of fen: ${txnAmt}`);
  return String(txnAmt);
}

export interface NewOrder {
  orderId: string;
  txnTime: string;
  txnAmt: Fen;
  backUrl: string;
  /** echoed in the answer and the notification */
  reqReserved?: string;
}

/**
 * The fields every money-moving request carries, signed, in the order ACP's samples send them; a
 * field a request does not have is '' here and left out by signAcpMessage (as an empty one is).
 */
function signTransaction(
  m: AcpMerchant,
  op: 'c2b' | 'b2c' | 'cancel' | 'refund',
  t: NewOrder & { currencyCode: string; origQryId: string; qrNo: string },
): AcpFields {
  return signAcpMessage(
    {
      ...base(m, op),
      channelType: CHANNEL_INTERNET,
      currencyCode: t.currencyCode,
      orderId: t.orderId,
      txnTime: t.txnTime,
      txnAmt: amount(t.txnAmt),
      origQryId: t.origQryId,
      backUrl: t.backUrl,
      qrNo: t.qrNo,
      reqReserved: t.reqReserved ?? '',
    },
    m.signPrivateKeyPem,
  );
}

/** 主扫 C2B: the answer carries `qrCode`, the result comes by notification to backUrl. */
export function buildC2bRequest(m: AcpMerchant, o: NewOrder): AcpFields {
  return signTransaction(m, 'c2b', { ...o, currencyCode: CNY, origQryId: '', qrNo: '' });
}

/** 被扫 B2C: `qrNo` is the customer's payment code (19 digits starting 62). */
export function buildB2cRequest(m: AcpMerchant, o: NewOrder & { qrNo: string }): AcpFields {
  return signTransaction(m, 'b2c', { ...o, currencyCode: CNY, origQryId: '' });
}

/** Query by the original orderId + txnTime; the state is in the answer's origRespCode. */
export function buildQueryRequest(m: AcpMerchant, q: { orderId: string; txnTime: string }): AcpFields {
  return signAcpMessage({ ...base(m, 'query'), orderId: q.orderId, txnTime: q.txnTime }, m.signPrivateKeyPem);
}

export interface FollowUp {
  /** this cancel/refund's own orderId and txnTime */
  orderId: string;
  txnTime: string;
  txnAmt: Fen;
  /** queryId of the payment */
  origQryId: string;
  backUrl: string;
  /** echoed in the notification: the only way to name the original order there */
  reqReserved?: string;
}

/** 消费撤销: same day, full amount (a cancel names no currency). */
export function buildCancelRequest(m: AcpMerchant, f: FollowUp): AcpFields {
  return signTransaction(m, 'cancel', { ...f, currencyCode: '', qrNo: '' });
}

/** 退货: partial or full, any number of times up to the paid amount. */
export function buildRefundRequest(m: AcpMerchant, f: FollowUp): AcpFields {
  return signTransaction(m, 'refund', { ...f, currencyCode: CNY, qrNo: '' });
}

/** 文件传输: the day's transaction file; settleDate is MMdd. */
export function buildFileRequest(m: AcpMerchant, f: { txnTime: string; settleDate: string }): AcpFields {
  return signAcpMessage(
    { ...base(m, 'file'), txnTime: f.txnTime, settleDate: f.settleDate, fileType: '00' },
    m.signPrivateKeyPem,
  );
}
