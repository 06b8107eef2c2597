import type { SandboxPlugin } from './server.js';
import { registerWechatpaySandbox } from './wechatpay/index.js';
import { registerAlipaySandbox } from './alipay/index.js';
import { registerUnionpaySandbox } from './unionpay/index.js';
import { registerWalletSandboxes } from './wallets/index.js';
import { registerOnboardingSandbox } from './onboarding/index.js';

/** Every channel simulator the sandbox serves; a new channel adds its plugin here. */
export const SANDBOX_PLUGINS: readonly SandboxPlugin[] = [
  registerWechatpaySandbox,
  registerAlipaySandbox,
  registerUnionpaySandbox,
  registerWalletSandboxes,
  registerOnboardingSandbox,
];
