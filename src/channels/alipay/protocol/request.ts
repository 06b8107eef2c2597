import type { Clock } from '../../../core/clock.js';
import type { KeyInput } from './keys.js';
import { signRequest } from './sign.js';
import { alipayNow } from './time.js';

/** A complete signed v2 gateway request (common params + biz_content), as the form fields to send. */

export interface RequestOptions {
  appId: string;
  method: string;
  biz: Record<string, unknown>;
  privateKey: KeyInput;
  clock: Clock;
  appAuthToken?: string;
  notifyUrl?: string;
  returnUrl?: string;
}

export function buildSignedRequest(o: RequestOptions): Record<string, string> {
  return signRequest(
    {
      app_id: o.appId,
      method: o.method,
      format: 'JSON',
      charset: 'utf-8',
      sign_type: 'RSA2',
      timestamp: alipayNow(o.clock),
      version: '1.0',
      app_auth_token: o.appAuthToken,
      notify_url: o.notifyUrl,
      return_url: o.returnUrl,
      biz_content: JSON.stringify(o.biz),
    },
    o.privateKey,
  );
}
