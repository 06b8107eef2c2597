import { strToU8, zipSync, zlibSync } from 'fflate';
import { orderIdOfAcp } from '../../channels/unionpay/status.js';
import { formatZmLine } from '../../channels/unionpay/protocol/zm-layout.js';
import type { SandboxBilling } from '../billing.js';
import type { UnionpayStore, UpTxn } from './store.js';

/**
 * The merchant day file as UnionPay's file-transfer endpoint serves it: a ZIP holding
 * `INN<yyMMdd>88ZM_<merId>` (one fixed-width GBK line per successful transaction of the settle
 * date: 01 consumption, 04 return, 31 cancellation) and an empty `…ZME_<merId>` (exceptions),
 * sent as `fileContent` = base64(zlib(zip)) with its `fileName`. Fees are the channel cost of the
 * sandbox's pricing (sandbox/billing.ts): 商户手续费 D (charged) on trades, C (given back) on
 * returns; 结算金额 and 清算净额 signed C/D the same way.
 */

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const signed = (sign: 'C' | 'D', fen: number) => `${sign}${pad(fen, 12)}`;

export function dayFile(
  store: UnionpayStore,
  book: SandboxBilling,
  merId: string,
  settleDate: string,
  year: string,
): { fileName: string; fileContent: string } | undefined {
  const txns = store.settledOn(merId, settleDate);
  const extras = book.extraTrades('unionpay').filter((e) => settleDateOfInstant(e.at) === settleDate);
  if (txns.length === 0 && extras.length === 0) return undefined;
  const orderKey = (acpId: string) => orderIdOfAcp(acpId) ?? acpId;
  const refunded = new Map<string, number>();
  const lines: Buffer[] = [];
  const common = {
    代理机构标识码: '00000000',
    发送机构标识码: '00000000',
    帐号: '6216***********0018',
    商户类别: '5411',
    终端类型: '08',
    '支付方式（旧）': '00',
    支付卡类型: '01',
    支付方式: '0000',
    业务类型: '000000',
    帐号类型: '01',
    交互方式: '1',
    商户代码: merId,
  };
  for (const t of [...txns].sort((a, b) => a.traceTime.localeCompare(b.traceTime))) {
    if (t.txnType === '01') {
      const fee = book.tradeFee('unionpay', orderKey(t.orderId), t.txnAmt);
      lines.push(
        zm(common, t, {
          fee: signed('D', fee),
          settle: signed('C', t.txnAmt),
          net: signed('C', t.txnAmt - fee),
        }),
      );
      continue;
    }
    const original = t.origQryId ? store.byQueryId(t.origQryId) : undefined;
    const originalAmount = original?.txnAmt ?? t.txnAmt;
    const key = orderKey(original?.orderId ?? t.orderId);
    const before = refunded.get(key) ?? 0;
    refunded.set(key, before + t.txnAmt);
    const fee = book.refundFee('unionpay', key, originalAmount, before, t.txnAmt);
    lines.push(
      zm(common, t, {
        fee: signed('C', fee),
        settle: signed('D', t.txnAmt),
        net: signed('D', t.txnAmt - fee),
        origQryId: t.origQryId ?? '',
        origOrderId: original?.orderId ?? '',
      }),
    );
  }
  for (const e of extras) {
    lines.push(
      formatZmLine({
        ...common,
        交易代码: 'S22',
        系统跟踪号: e.channelTradeNo.slice(-6),
        交易传输时间: traceTimeOfInstant(e.at),
        交易金额: pad(e.amount, 12),
        查询流水号: e.channelTradeNo.slice(0, 21),
        商户订单号: e.outTradeNo,
        商户手续费: signed('D', e.fee),
        结算金额: signed('C', e.amount),
        交易类型: '01',
        交易子类: '07',
        清算净额: signed('C', e.amount - e.fee),
      }),
    );
  }
  const stem = `INN${year.slice(2)}${settleDate}88`;
  const zip = zipSync({
    [`${stem}ZM_${merId}`]: new Uint8Array(Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\r\n')]))),
    [`${stem}ZME_${merId}`]: strToU8(''),
  });
  return {
    fileName: `${merId}_${settleDate}.zip`,
    fileContent: Buffer.from(zlibSync(zip)).toString('base64'),
  };
}

function zm(
  common: Record<string, string>,
  t: UpTxn,
  v: { fee: string; settle: string; net: string; origQryId?: string; origOrderId?: string },
): Buffer {
  return formatZmLine({
    ...common,
    交易代码: t.txnType === '01' ? 'S22' : t.txnType === '04' ? 'S30' : 'S31',
    系统跟踪号: t.traceNo.padStart(6, '0').slice(-6),
    交易传输时间: t.traceTime,
    交易金额: pad(t.txnAmt, 12),
    查询流水号: t.queryId,
    商户订单号: t.orderId,
    商户手续费: v.fee,
    结算金额: v.settle,
    交易类型: t.txnType,
    交易子类: t.txnSubType,
    原交易查询流水号: v.origQryId ?? '',
    原始交易订单号: v.origOrderId ?? '',
    清算净额: v.net,
  });
}

const BEIJING_MS = 8 * 3_600_000;
function traceTimeOfInstant(at: Date): string {
  const iso = new Date(at.getTime() + BEIJING_MS).toISOString();
  return `${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}
function settleDateOfInstant(at: Date): string {
  return traceTimeOfInstant(at).slice(0, 4);
}
