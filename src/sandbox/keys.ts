/**
 * Key material of the sandbox's channels, generated once per data folder (sandbox-keys.json) so
 * that the demo channel configs and GET /sandbox/credentials hand out the matching keys.
 * PEM strings throughout; private keys PKCS#8, public keys SPKI.
 */

export interface WechatpaySandboxKeys {
  sp_mchid: string; // 10 digits
  sp_appid: string; // wx + 16 hex
  sub_mchid: string;
  sub_appid: string;
  merchant_serial: string; // 40 hex upper case, the merchant API certificate serial
  merchant_private_key: string;
  merchant_public_key: string;
  /** public-key mode (微信支付公钥): PUB_KEY_ID_… */
  platform_public_key_id: string;
  platform_private_key: string;
  platform_public_key: string;
  /** certificate mode: the platform certificate and its serial (hex upper case) */
  platform_cert_serial: string;
  platform_cert_pem: string;
  apiv3_key: string; // 32 ASCII chars
  apiv2_key: string; // 32 ASCII chars
}

export interface AlipaySandboxKeys {
  app_id: string; // 2021 + 12 digits
  app_private_key: string;
  app_public_key: string;
  alipay_private_key: string;
  alipay_public_key: string;
  app_auth_token: string;
  seller_id: string; // 2088 + 12 digits
  isv_pid: string; // 2088 + 12 digits
}

export interface UnionpaySandboxKeys {
  mer_id: string; // 15 digits
  /** the merchant's signing certificate: its serial in decimal is certId */
  cert_id: string;
  sign_private_key: string;
  sign_cert_pem: string;
  /** UnionPay's own signing key and certificate (signPubKeyCert), issued by the intermediate */
  unionpay_private_key: string;
  unionpay_cert_pem: string;
  /** the PEM of unionpay_cert's public key, what adapters call verify_public_key */
  verify_public_key: string;
  /** acp_root.cer: the sandbox root */
  root_cert_pem: string;
  /** acp_middle.cer: the intermediate under the root that issues UnionPay's signing certificate */
  middle_cert_pem: string;
}

export interface SandboxKeys {
  wechatpay: WechatpaySandboxKeys;
  alipay: AlipaySandboxKeys;
  unionpay: UnionpaySandboxKeys;
}
