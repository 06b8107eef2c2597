import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AcpOperation } from '../../channels/unionpay/protocol/requests.js';
import type { SandboxContext } from '../context.js';
import { API_FAULTS, LOST_ANSWER_FAULTS } from '../faults.js';
import { jsonBody } from '../json-body.js';
import { customerPayPage } from './customer-page.js';
import { UnionpayGateway } from './gateway.js';
import { notifyResult } from './messages.js';
import { checkRequest } from './request-check.js';
import { onboardingStoreFor } from '../onboarding/store.js';
import { UnionpayStore } from './store.js';

/**
 * UnionPay QR (ACP 5.1.0) simulator: the gateway under /unionpay/gateway/api/…, and the customer's
 * wallet under /sandbox/unionpay/…. Faults apply per operation (c2b, b2c, query, cancel, refund, file).
 */

const CHANNEL_TIMEOUT_MS = 30_000; // a `timeout` fault holds the request this long (channel time), then drops it

export async function registerUnionpaySandbox(app: FastifyInstance, ctx: SandboxContext): Promise<void> {
  const store = new UnionpayStore(ctx.clock);
  const gateway = new UnionpayGateway(ctx, store);

  const serve =
    (allowed: readonly AcpOperation[]) => async (request: FastifyRequest, reply: FastifyReply) => {
      const checked = checkRequest(request.body, allowed, ctx.keys.unionpay, (merId) =>
        onboardingStoreFor(ctx).isApprovedSubMerchant('unionpay', merId),
      );
      const op = checked.op;
      const fault = op ? ctx.faults.take('unionpay', op, API_FAULTS) : undefined;
      if (fault === 'timeout') {
        reply.hijack();
        void ctx.scheduler.hold(CHANNEL_TIMEOUT_MS).then(() => request.raw.socket.destroy());
        return;
      }
      if (fault === 'error_5xx')
        return reply
          .code(503)
          .header('content-type', 'text/html')
          .send('<html><body>503 Service Temporarily Unavailable</body></html>');
      if (fault === 'system_error') return gateway.answer(reply, checked.fields, { code: '06' });
      if (!checked.ok) {
        ctx.logger.debug({ reason: checked.reason }, 'unionpay sandbox refused a request');
        return gateway.answer(reply, checked.fields, { code: checked.code });
      }
      const answer = gateway[checked.op](checked.fields);
      if (ctx.faults.take('unionpay', checked.op, LOST_ANSWER_FAULTS)) {
        reply.hijack();
        request.raw.socket.destroy(); // done at UnionPay; the answer is lost on the way back
        return;
      }
      return gateway.answer(reply, checked.fields, answer);
    };

  app.post('/unionpay/gateway/api/backTransReq.do', serve(['c2b', 'b2c', 'cancel', 'refund', 'query']));
  app.post('/unionpay/gateway/api/queryTrans.do', serve(['query']));
  // day files come from the file-transfer host (filedownload.95516.com), not the gateway
  app.post('/unionpay/filedownload/', serve(['file']));

  /** JSON from tests and scripts, or the HTML page's form */
  const orderRef = (request: FastifyRequest): string | undefined => {
    const json = jsonBody(request.body);
    const form = typeof request.body === 'string' && !json ? new URLSearchParams(request.body) : undefined;
    const ref = json?.order_id ?? json?.qr_code ?? form?.get('order_id');
    return typeof ref === 'string' && ref !== '' ? ref : undefined;
  };
  const wantsHtml = (request: FastifyRequest) =>
    !String(request.headers['content-type'] ?? '').includes('json');

  app.post('/sandbox/unionpay/pay', async (request, reply) => {
    const ref = orderRef(request);
    if (!ref)
      return reply.code(400).send({
        error: {
          type: 'invalid_request_error',
          code: 'parameter_invalid',
          message: 'order_id (or qr_code) is required',
          param: 'order_id',
        },
      });
    const txn = store.findC2b(ref);
    if (!txn)
      return reply.code(404).send({
        error: {
          type: 'invalid_request_error',
          code: 'resource_missing',
          message: 'no UnionPay C2B order with that order_id or qr_code',
          param: 'order_id',
        },
      });
    if (!store.payC2b(txn))
      return reply.code(409).send({
        error: {
          type: 'invalid_request_error',
          code: 'order_not_payable',
          message: `the order is ${txn.state}`,
          param: 'order_id',
        },
      });
    notifyResult(ctx, txn);
    if (wantsHtml(request))
      return reply.type('text/html; charset=utf-8').send(customerPayPage(txn, '付款成功 Paid'));
    return {
      object: 'unionpay_payment',
      order_id: txn.orderId,
      query_id: txn.queryId,
      txn_amt: txn.txnAmt,
      resp_code: txn.respCode,
    };
  });

  app.post('/sandbox/unionpay/decline', async (request, reply) => {
    const txn = store.findC2b(orderRef(request) ?? '');
    return reply
      .type('text/html; charset=utf-8')
      .send(customerPayPage(txn, '已取消 Cancelled: nothing was paid'));
  });

  app.get('/sandbox/unionpay/pay', async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const txn = store.findC2b(query.order_id ?? query.qr_code ?? '');
    return reply
      .code(txn ? 200 : 404)
      .type('text/html; charset=utf-8')
      .send(customerPayPage(txn));
  });
}
