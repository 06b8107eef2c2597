import type { ChannelRegistry } from '../../channels/registry.js';
import type { PlatformContext } from '../../platform/context.js';
import type { PaymentRiskCheck, RefundRiskCheck } from '../../risk/index.js';

/**
 * What the payments routes are registered with: the platform, the channel adapters and, when risk
 * control runs, its checks. Passed in by the app; nothing here is looked up.
 */
export interface PaymentRouteDeps extends PlatformContext {
  channels: ChannelRegistry;
  risk?: { payment: PaymentRiskCheck; refund: RefundRiskCheck } | undefined;
}
