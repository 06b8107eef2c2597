import { randomToken } from '../core/ids.js';
import { ApiError } from '../core/errors.js';
import type { PlatformContext } from '../platform/context.js';
import type { PlateOrderCreator } from '../merchants/plates/index.js';
import { createOrder } from './create-order.js';

/**
 * Orders typed in at a static plate: they belong to the plate's merchant (and store), under the
 * merchant's first active app, whose default notify_url receives the webhooks.
 */
export function plateOrderCreator(ctx: PlatformContext): PlateOrderCreator {
  return {
    createPlateOrder: async ({ merchantId, storeId, amountFen, plateCode, clientIp }) => {
      const app = await ctx.db
        .selectFrom('apps')
        .select('id')
        .where('merchant_id', '=', merchantId)
        .where('status', '=', 'active')
        .orderBy('id')
        .limit(1)
        .executeTakeFirst();
      if (!app)
        throw new ApiError(
          'validation_failed',
          'this merchant has no active app to receive plate payments',
          'merchant_id',
        );
      const { order } = await createOrder(
        ctx.db,
        { appId: app.id, merchantId },
        {
          mch_order_no: `plate-${plateCode}-${randomToken(9)}`,
          amount: amountFen,
          subject: `扫码付款 ${plateCode.slice(0, 4)}`,
          ...(storeId ? { store_id: storeId } : {}),
          client_ip: clientIp,
          metadata: { plate_code: plateCode },
        },
        ctx.clock,
      );
      return { order_id: order.id, cashier_url: `${ctx.publicUrl}/pay/${order.id}` };
    },
  };
}
