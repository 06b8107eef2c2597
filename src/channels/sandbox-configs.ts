import { alipayConfigFromSandbox, type AlipaySandboxCredentials } from './alipay/config.js';
import type { ChannelConfig, ChannelId } from './channel.js';
import { h5WalletConfigFromSandbox } from './h5wallet/config.js';
import { unionpayConfigFromSandbox } from './unionpay/config.js';
import { wechatpayConfigFromSandbox } from './wechatpay/config.js';

/** The shape of GET /sandbox/credentials (CONTRACT §5) as far as configurations need it. */
export interface SandboxCredentials {
  wechatpay: Parameters<typeof wechatpayConfigFromSandbox>[0];
  alipay: AlipaySandboxCredentials;
  unionpay: Parameters<typeof unionpayConfigFromSandbox>[0];
}

/** A configuration for every channel pointing at the sandbox: what the demo tenant and tests use. */
export function sandboxChannelConfigs(
  credentials: SandboxCredentials,
  sandboxUrl: string,
): Record<ChannelId, ChannelConfig> {
  return {
    wechatpay: wechatpayConfigFromSandbox(credentials.wechatpay, sandboxUrl),
    alipay: { channel: 'alipay', fields: alipayConfigFromSandbox(credentials.alipay, sandboxUrl) },
    unionpay: unionpayConfigFromSandbox(credentials.unionpay, sandboxUrl),
    qqwallet: h5WalletConfigFromSandbox('qqwallet', sandboxUrl),
    jdpay: h5WalletConfigFromSandbox('jdpay', sandboxUrl),
    baiduwallet: h5WalletConfigFromSandbox('baiduwallet', sandboxUrl),
  };
}
