import type { Clock } from '../core/clock.js';
import type { Queryable } from '../platform/db/index.js';
import type { SecretBox } from '../platform/secret-box.js';
import { merchantAppId } from '../sandbox/alipay/notify.js';
import type { SandboxKeys } from '../sandbox/keys.js';
import { upsertChannelConfig, type ChannelName } from '../merchants/index.js';
import { h5WalletConfigFromSandbox } from '../channels/h5wallet/config.js';
import { H5_WALLETS } from '../channels/h5wallet/protocol/h5-wallet-protocol.js';

/**
 * The demo tenant's channel configuration, pointing at the sandbox: the service provider holds
 * the channel credentials (WeChat service-provider mode, the Alipay ISV app, the UnionPay signing
 * key) and the merchant its sub-merchant ids, as an acquirer's real setup would be. The demo bank
 * holds the same credentials, as a bank that is itself a service provider at the channels: a
 * merchant created without a service provider can then be onboarded and paid in the sandbox too.
 */
export async function writeDemoChannelConfigs(
  db: Queryable,
  box: SecretBox,
  ids: { institutionId?: string; serviceProviderId: string; merchantId: string },
  sandbox: { url: string; keys: SandboxKeys },
  clock: Clock,
): Promise<void> {
  const base = sandbox.url.replace(/\/+$/, '');
  const { wechatpay: wx, alipay: ali, unionpay: up } = sandbox.keys;
  const provider: Array<[ChannelName, Record<string, string>]> = [
    [
      'wechatpay',
      {
        base_url: `${base}/wechatpay/`,
        sp_mchid: wx.sp_mchid,
        sp_appid: wx.sp_appid,
        merchant_serial: wx.merchant_serial,
        merchant_private_key: wx.merchant_private_key,
        platform_serial: wx.platform_public_key_id,
        platform_public_key: wx.platform_public_key,
        apiv3_key: wx.apiv3_key,
        apiv2_key: wx.apiv2_key,
        app_secret: 'sandbox-oauth-app-secret',
        oauth_base: `${base}/wechatpay`,
        oauth_api_base: `${base}/wechatpay`,
        sandbox: '1',
      },
    ],
    [
      'alipay',
      {
        gateway: `${base}/alipay/gateway.do`,
        app_id: ali.app_id,
        app_private_key: ali.app_private_key,
        alipay_public_key: ali.alipay_public_key,
        isv_pid: ali.isv_pid,
        oauth_base: `${base}/alipay`,
        sandbox: '1',
      },
    ],
    [
      'unionpay',
      {
        base_url: `${base}/unionpay/`,
        cert_id: up.cert_id,
        sign_private_key: up.sign_private_key,
        root_cert: up.root_cert_pem,
        middle_cert: up.middle_cert_pem,
        sandbox: '1',
      },
    ],
  ];
  const merchant: Array<[ChannelName, Record<string, string>]> = [
    ['wechatpay', { sub_mchid: wx.sub_mchid }],
    [
      'alipay',
      {
        app_auth_token: ali.app_auth_token,
        auth_app_id: merchantAppId(ali.seller_id),
        seller_id: ali.seller_id,
      },
    ],
    ['unionpay', { mer_id: up.mer_id }],
    ...H5_WALLETS.map((wallet): [ChannelName, Record<string, string>] => [
      wallet,
      { ...h5WalletConfigFromSandbox(wallet, base).fields, sandbox: '1' },
    ]),
  ];
  const holders = [
    ...(ids.institutionId ? [{ ownerId: ids.institutionId, ownerType: 'institution' as const }] : []),
    { ownerId: ids.serviceProviderId, ownerType: 'service_provider' as const },
  ];
  for (const holder of holders)
    for (const [channel, patch] of provider)
      await upsertChannelConfig(db, box, { ...holder, channel, patch }, clock);
  for (const [channel, patch] of merchant) {
    await upsertChannelConfig(
      db,
      box,
      { ownerId: ids.merchantId, ownerType: 'merchant', channel, patch },
      clock,
    );
  }
}
