import { createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  parseAuthorization,
  requestMessage,
  rsaVerify,
  signResponseHeaders,
  MAX_CLOCK_SKEW_S,
  type AuthorizationFields,
} from '../../channels/wechatpay/protocol/v3-signing.js';
import { unixSeconds } from '../../core/clock.js';
import type { SandboxContext } from '../context.js';
import { API_FAULTS } from '../faults.js';
import { WechatTradeStore } from './trade-store.js';

/**
 * What every WeChat route shares: the trade store, the keys as KeyObjects, channel-time timers,
 * and the APIv3 transport rules (Authorization check, signed answers, error bodies, faults).
 */
export class WechatSimulator {
  readonly store: WechatTradeStore;
  readonly merchantPublicKey: KeyObject;
  readonly platformPrivateKey: KeyObject;
  /** which key signs answers: the PUB_KEY_ID (new merchants) or the platform certificate serial */
  signingSerial: string;

  constructor(readonly ctx: SandboxContext) {
    const w = ctx.keys.wechatpay;
    this.store = new WechatTradeStore(ctx.clock);
    this.merchantPublicKey = createPublicKey(w.merchant_public_key);
    this.platformPrivateKey = createPrivateKey(w.platform_private_key);
    this.signingSerial = w.platform_public_key_id;
  }

  get keys() {
    return this.ctx.keys.wechatpay;
  }

  /** runs fn after `channelMs` of channel time, on the sandbox clock */
  later(channelMs: number, fn: () => void): void {
    this.ctx.scheduler.after(channelMs, fn);
  }

  /** Sends a body signed with the platform key, as every APIv3 answer is. */
  sendSigned(reply: FastifyReply, status: number, payload?: unknown): FastifyReply {
    const body = payload === undefined ? '' : JSON.stringify(payload);
    const headers = signResponseHeaders(
      body,
      this.signingSerial,
      this.platformPrivateKey,
      unixSeconds(this.ctx.clock),
    );
    reply.code(status).headers({ ...headers, 'Request-ID': randomUUID() });
    if (body === '') return reply.send();
    return reply.type('application/json; charset=utf-8').send(body);
  }

  error(
    reply: FastifyReply,
    status: number,
    code: string,
    message: string,
    detail?: Record<string, unknown>,
  ): FastifyReply {
    return this.sendSigned(reply, status, detail ? { code, message, detail } : { code, message });
  }

  paramError(reply: FastifyReply, field: string, issue: string, value?: unknown): FastifyReply {
    return this.error(reply, 400, 'PARAM_ERROR', `输入源“/body/${field}”${issue}`, {
      field,
      value: value ?? null,
      issue,
      location: 'body',
    });
  }

  /**
   * Checks Authorization the way WeChat does: scheme and fields, mchid = our sp_mchid, the merchant
   * certificate serial, a timestamp within 300 s, and the signature over METHOD\nURL\nTS\nNONCE\nBODY\n.
   * Answers 401 SIGN_ERROR itself and returns undefined on failure.
   */
  authenticate(request: FastifyRequest, reply: FastifyReply): AuthorizationFields | undefined {
    const auth = parseAuthorization(request.headers.authorization);
    const fail = (message: string) => {
      this.error(reply, 401, 'SIGN_ERROR', message);
      return undefined;
    };
    if (!auth) return fail('Http头Authorization值格式错误，请参考《微信支付商户REST API签名规则》');
    if (auth.mchid !== this.keys.sp_mchid) return fail('商户号不存在或Http头Authorization中的mchid错误');
    if (auth.serial_no.toUpperCase() !== this.keys.merchant_serial)
      return fail('商户证书序列号有误。请使用签名私钥匹配的证书序列号');
    if (
      !/^\d{1,12}$/.test(auth.timestamp) ||
      Math.abs(unixSeconds(this.ctx.clock) - Number(auth.timestamp)) > MAX_CLOCK_SKEW_S
    ) {
      return fail('Http头Authorization中的timestamp与当前时间相差超过5分钟');
    }
    const body = typeof request.body === 'string' ? request.body : '';
    if (
      !rsaVerify(
        requestMessage(request.method, request.url, auth.timestamp, auth.nonce_str, body),
        auth.signature,
        this.merchantPublicKey,
      )
    ) {
      return fail('签名错误，请检查后再试');
    }
    return auth;
  }

  /**
   * Applies an injected API fault for this operation. Returns true when the request was answered
   * (or dropped) by the fault. `systemError` writes the channel's own well-formed retry answer.
   */
  async fault(
    operation: string,
    request: FastifyRequest,
    reply: FastifyReply,
    systemError: () => void,
  ): Promise<boolean> {
    const mode = this.ctx.faults.take('wechatpay', operation, API_FAULTS);
    switch (mode) {
      case 'timeout':
        await this.ctx.scheduler.hold(30_000);
        reply.hijack();
        request.raw.socket.destroy(); // the client sees no answer at all
        return true;
      case 'error_5xx':
        // the gateway in front of the API fails: unsigned, but still WeChat's error shape
        reply
          .code(503)
          .type('application/json; charset=utf-8')
          .send(JSON.stringify({ code: 'SYSTEM_ERROR', message: '系统繁忙，请稍后重试' }));
        return true;
      case 'system_error':
        systemError();
        return true;
      default:
        return false;
    }
  }
}
