import { decodeForm, encodeForm, parseAcpResponse, type AcpFields } from './protocol/form.js';
import {
  ACP_PATHS,
  buildB2cRequest,
  buildC2bRequest,
  buildCancelRequest,
  buildFileRequest,
  buildQueryRequest,
  buildRefundRequest,
  type AcpMerchant,
  type FollowUp,
  type NewOrder,
} from './protocol/requests.js';
import { classifyRespCode, type AcpRespCode } from './status.js';
import { verifyUnionpayMessage, type AcpTrust } from './protocol/signer-cert.js';

/**
 * A thin ACP client: builds the signed form, POSTs it, verifies the signed answer against the
 * trusted roots. Transport trouble and untrusted answers throw; business answers (any respCode)
 * are returned with their classification, for the adapter to map.
 */

export class AcpTransportError extends Error {}
export class AcpVerifyError extends Error {}

export interface AcpAnswer {
  fields: AcpFields;
  respCode: string;
  status: AcpRespCode;
}

export interface AcpClientOptions {
  /** e.g. https://gateway.95516.com/ or the sandbox's http://127.0.0.1:3100/unionpay/ */
  baseUrl: string;
  merchant: AcpMerchant;
  trust: AcpTrust;
  timeoutMs?: number;
}

export class AcpClient {
  constructor(private readonly options: AcpClientOptions) {}

  async send(path: string, fields: AcpFields): Promise<AcpAnswer> {
    const url = new URL(
      path,
      this.options.baseUrl.endsWith('/') ? this.options.baseUrl : `${this.options.baseUrl}/`,
    );
    let text: string;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
        body: encodeForm(fields),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
      text = await res.text();
      if (res.status !== 200) throw new AcpTransportError(`HTTP ${res.status} from ${url.pathname}`);
    } catch (error) {
      if (error instanceof AcpTransportError) throw error;
      // the cause tells "could not connect" (nothing sent) from "no answer" (outcome unknown)
      throw new AcpTransportError(
        `no answer from ${url.pathname}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    const answer = parseAcpResponse(text.trim());
    const check = verifyUnionpayMessage(answer, this.options.trust);
    if (!check.ok) throw new AcpVerifyError(check.reason);
    return { fields: answer, respCode: answer.respCode ?? '', status: classifyRespCode(answer.respCode) };
  }

  /** A notification body as POSTed to backUrl: decoded once, then verified. Throws when untrusted. */
  parseNotification(body: string): AcpFields {
    const fields = decodeForm(body);
    const check = verifyUnionpayMessage(fields, this.options.trust);
    if (!check.ok) throw new AcpVerifyError(check.reason);
    return fields;
  }

  c2b(order: NewOrder) {
    return this.send(ACP_PATHS.back, buildC2bRequest(this.options.merchant, order));
  }

  b2c(order: NewOrder & { qrNo: string }) {
    return this.send(ACP_PATHS.back, buildB2cRequest(this.options.merchant, order));
  }

  query(q: { orderId: string; txnTime: string }) {
    return this.send(ACP_PATHS.query, buildQueryRequest(this.options.merchant, q));
  }

  cancel(f: FollowUp) {
    return this.send(ACP_PATHS.back, buildCancelRequest(this.options.merchant, f));
  }

  refund(f: FollowUp) {
    return this.send(ACP_PATHS.back, buildRefundRequest(this.options.merchant, f));
  }

  file(f: { txnTime: string; settleDate: string }) {
    return this.send(ACP_PATHS.file, buildFileRequest(this.options.merchant, f));
  }
}
