import type { KeyObject } from 'node:crypto';
import { lines, nonceStr, rsaSign } from './v3-signing.js';

/** The parameters a JSAPI page passes to WeixinJSBridge `getBrandWCPayRequest` (or wx.requestPayment). */
export interface JsapiPayParams {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: 'RSA';
  paySign: string;
}

export function paySignMessage(appId: string, timeStamp: string, nonce: string, pkg: string): string {
  return lines(appId, timeStamp, nonce, pkg);
}

/** paySign over appId\ntimeStamp\nnonceStr\nprepay_id=…\n with the merchant key. */
export function jsapiPayParams(
  appId: string,
  prepayId: string,
  privateKey: KeyObject | string,
  timestamp: number,
  nonce = nonceStr(),
): JsapiPayParams {
  const timeStamp = String(timestamp);
  const pkg = `prepay_id=${prepayId}`;
  return {
    appId,
    timeStamp,
    nonceStr: nonce,
    package: pkg,
    signType: 'RSA',
    paySign: rsaSign(paySignMessage(appId, timeStamp, nonce, pkg), privateKey),
  };
}
