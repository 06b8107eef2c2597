import type { FastifyReply } from 'fastify';
import { encodeAcpResponse, encodeForm, type AcpFields } from '../../channels/unionpay/protocol/form.js';
import { ACP_RESP_CODES, type KnownRespCode } from '../../channels/unionpay/status.js';
import { signAcpMessage } from '../../channels/unionpay/protocol/signature.js';
import type { SandboxContext } from '../context.js';
import type { UpTxn } from './store.js';

/**
 * UnionPay's side of the wire: every answer and notification is signed with UnionPay's key and
 * carries its certificate as `signPubKeyCert`. The real gateway sends that PEM with CRLF line
 * endings and no final newline, and the CRLFs are signed data, so the sandbox does the same.
 */

/** UnionPay does not publish its retry schedule; ours: immediately, then 1, 2, 4, 8, 16 minutes. */
export const UNIONPAY_NOTIFY_RETRY_MS: readonly number[] = [1, 2, 4, 8, 16].map((m) => m * 60_000);

/** request fields a gateway answer echoes back */
const ECHOED = [
  'version',
  'encoding',
  'bizType',
  'txnType',
  'txnSubType',
  'accessType',
  'channelType',
  'merId',
  'orderId',
  'txnTime',
  'txnAmt',
  'currencyCode',
  'reqReserved',
  'origQryId',
  'settleDate',
  'fileType',
];

/** a value the raw answer format can carry: no '&' unless wrapped in {…} */
export function rawSafe(value: string): boolean {
  return !value.includes('&') || (value.startsWith('{') && value.endsWith('}'));
}

export function crlfPem(pem: string): string {
  return pem.trim().replace(/\r?\n/g, '\r\n');
}

export function signAsUnionpay(ctx: SandboxContext, fields: AcpFields): AcpFields {
  const { unionpay_cert_pem, unionpay_private_key } = ctx.keys.unionpay;
  return signAcpMessage(
    {
      ...fields,
      version: fields.version || '5.1.0',
      encoding: fields.encoding || 'UTF-8',
      signMethod: '01',
      signPubKeyCert: crlfPem(unionpay_cert_pem),
    },
    unionpay_private_key,
  );
}

/** A signed synchronous answer (always HTTP 200: ACP says no with respCode). */
export function sendAcpAnswer(
  ctx: SandboxContext,
  reply: FastifyReply,
  request: AcpFields,
  code: KnownRespCode,
  extra: AcpFields = {},
) {
  const fields: AcpFields = {};
  for (const key of ECHOED) if (request[key] && rawSafe(request[key])) fields[key] = request[key];
  Object.assign(fields, extra, { respCode: code, respMsg: ACP_RESP_CODES[code].message });
  return reply
    .code(200)
    .header('content-type', 'text/html;charset=UTF-8')
    .send(encodeAcpResponse(signAsUnionpay(ctx, fields)));
}

/** The result fields a query answer and a notification share. */
export function resultFields(txn: UpTxn): AcpFields {
  return {
    merId: txn.merId,
    orderId: txn.orderId,
    txnTime: txn.txnTime,
    txnType: txn.txnType,
    txnSubType: txn.txnSubType,
    txnAmt: String(txn.txnAmt),
    currencyCode: '156',
    queryId: txn.queryId,
    traceNo: txn.traceNo,
    traceTime: txn.traceTime,
    settleDate: txn.settleDate,
    settleAmt: String(txn.txnAmt),
    settleCurrencyCode: '156',
    origQryId: txn.origQryId ?? '',
    reqReserved: txn.reqReserved ?? '',
  };
}

/** Form-POSTs the signed result to backUrl; ack = HTTP 200, as UnionPay judges it. */
export function notifyResult(ctx: SandboxContext, txn: UpTxn): void {
  if (!txn.backUrl || txn.notified) return;
  txn.notified = true;
  const body = encodeForm(
    signAsUnionpay(ctx, {
      ...resultFields(txn),
      bizType: txn.bizType ?? '000000',
      accessType: txn.accessType ?? '0',
      respCode: txn.respCode,
      respMsg:
        txn.respCode === '00' ? 'success' : (ACP_RESP_CODES[txn.respCode as KnownRespCode]?.message ?? ''),
      exchangeRate: '0',
    }),
  );
  ctx.notifier.send({
    channel: 'unionpay',
    label: `txnType=${txn.txnType} orderId=${txn.orderId} respCode=${txn.respCode}`,
    url: txn.backUrl,
    build: () => ({ headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' }, body }),
    isAck: (status) => status === 200,
    retryDelaysMs: UNIONPAY_NOTIFY_RETRY_MS,
  });
}
