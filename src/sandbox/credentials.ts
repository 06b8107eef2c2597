import { merchantAppId } from './alipay/notify.js';
import type { SandboxKeys } from './keys.js';

/**
 * GET /sandbox/credentials (CONTRACT §5): what a merchant configures to use the sandbox's test
 * accounts. The demo seeding builds its channel configurations from the same answer
 * (src/demo/sandbox-configs.ts), so the two never differ.
 */
export function sandboxCredentials(keys: SandboxKeys, baseUrl: string) {
  const { wechatpay: w, alipay: a, unionpay: u } = keys;
  return {
    wechatpay: {
      base_url: `${baseUrl}/wechatpay/`,
      sp_mchid: w.sp_mchid,
      sp_appid: w.sp_appid,
      sub_mchid: w.sub_mchid,
      sub_appid: w.sub_appid,
      merchant_serial: w.merchant_serial,
      merchant_private_key: w.merchant_private_key,
      platform_serial: w.platform_public_key_id,
      platform_public_key: w.platform_public_key,
      platform_cert_serial: w.platform_cert_serial,
      platform_cert: w.platform_cert_pem,
      apiv3_key: w.apiv3_key,
      apiv2_key: w.apiv2_key,
    },
    alipay: {
      gateway: `${baseUrl}/alipay/gateway.do`,
      app_id: a.app_id,
      app_private_key: a.app_private_key,
      alipay_public_key: a.alipay_public_key,
      app_auth_token: a.app_auth_token,
      auth_app_id: merchantAppId(a.seller_id),
      seller_id: a.seller_id,
      isv_pid: a.isv_pid,
    },
    unionpay: {
      base_url: `${baseUrl}/unionpay/`,
      mer_id: u.mer_id,
      cert_id: u.cert_id,
      sign_private_key: u.sign_private_key,
      sign_cert: u.sign_cert_pem,
      verify_public_key: u.verify_public_key,
      verify_cert: u.unionpay_cert_pem,
      root_cert: u.root_cert_pem,
      middle_cert: u.middle_cert_pem,
    },
  };
}
