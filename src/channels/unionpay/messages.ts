import { ChannelError, type ChannelNotification } from '../channel.js';
import { orderIdOfAcp, orderIdOfReserved, paymentStatusOf, refundIdOfAcp, refundStatusOf } from './status.js';
import type { AcpFields } from './protocol/form.js';

/** Verified UnionPay messages → the Channel interface's values. Pure. */

/**
 * A notification's fields (already verified) → what it says. txnType tells the kind: 01 a
 * payment, 04 a refund (its reqReserved names the order: ACP echoes nothing else about it),
 * 31 a cancel (撤销) of a payment, reported as the payment `closed`. An authentic message about
 * an orderId that is not ours keeps it as is: the payments layer logs it as an unknown order.
 */
export function notificationOf(fields: AcpFields): ChannelNotification {
  const code = fields.respCode;
  const orderOf = (acpId: string | undefined) => orderIdOfAcp(acpId) ?? acpId ?? '';
  switch (fields.txnType) {
    case '01':
      return { kind: 'payment', outTradeNo: orderOf(fields.orderId), status: paymentStatusOf(fields, code) };
    case '04':
      return {
        kind: 'refund',
        outTradeNo: orderIdOfReserved(fields.reqReserved), // '' = a refund made outside JuhePay
        outRefundNo: refundIdOfAcp(fields.orderId) ?? fields.orderId ?? '',
        status: refundStatusOf(fields, code),
      };
    case '31': {
      const done = code === '00';
      return {
        kind: 'payment',
        outTradeNo: orderOf(fields.orderId),
        // a failed cancel leaves the payment as it was: `pending` changes nothing final
        status: {
          state: done ? 'closed' : 'pending',
          code,
          message: done ? 'cancelled (撤销)' : fields.respMsg,
        },
      };
    }
    default:
      throw new ChannelError(
        'invalid_notification',
        `unionpay notification of txnType ${fields.txnType ?? '(none)'} is not understood`,
      );
  }
}
