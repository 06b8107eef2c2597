import { ApiError } from '../core/errors.js';
import type { Queryable } from '../platform/db/index.js';
import type { OrderRow } from './order-view.js';

/** Reads an order the calling app may see; another app's order is reported as missing. */
export async function getOrderForApp(db: Queryable, appId: string, id: string): Promise<OrderRow> {
  const row = await db
    .selectFrom('orders')
    .selectAll()
    .where('id', '=', id)
    .where('app_id', '=', appId)
    .executeTakeFirst();
  if (!row) throw new ApiError('resource_missing', `no order ${id}`, 'id');
  return row;
}

export async function getOrderByMchOrderNo(
  db: Queryable,
  appId: string,
  mchOrderNo: string,
): Promise<OrderRow> {
  const row = await db
    .selectFrom('orders')
    .selectAll()
    .where('app_id', '=', appId)
    .where('mch_order_no', '=', mchOrderNo)
    .executeTakeFirst();
  if (!row)
    throw new ApiError('resource_missing', `no order with mch_order_no ${mchOrderNo}`, 'mch_order_no');
  return row;
}
