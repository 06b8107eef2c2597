import { inTransaction } from '../platform/db/index.js';
import { writeEvent } from '../platform/outbox/index.js';
import { customerSubject } from './hooks.js';
import type { RiskDeps } from './risk.js';
import { RISK_EVENT_TOPIC } from './events.js';
import { attemptsKey, KEEP_MS, type Dimension } from './windows.js';

/**
 * POST /v1/risk/events: a merchant-side event (login, register, password change, …). It counts
 * at once in the velocity windows of the scene named like its type (so `count("device", "1h")`
 * in scene `login` sees logins), and goes onto the stream for profiles (through the outbox).
 */
export async function recordMerchantEvent(
  deps: RiskDeps,
  merchant: { appId: string; merchantId: string },
  body: {
    type: string;
    customer_id: string;
    device_id?: string;
    ip?: string;
    attributes?: Record<string, string>;
  },
) {
  const customer = customerSubject(merchant.merchantId, body.customer_id);
  const event = await inTransaction(deps.db, (tx) =>
    writeEvent(
      tx,
      {
        topic: RISK_EVENT_TOPIC,
        payload: {
          type: body.type,
          app_id: merchant.appId,
          merchant_id: merchant.merchantId,
          customer_id: body.customer_id,
          device_id: body.device_id ?? null,
          ip: body.ip ?? null,
          attributes: body.attributes ?? {},
        },
      },
      deps.clock,
    ),
  );
  const values: Array<[Dimension, string | undefined]> = [
    ['customer', customer],
    ['device', body.device_id],
    ['ip', body.ip],
  ];
  const now = deps.clock.nowMs();
  await Promise.all(
    values
      .filter((v): v is [Dimension, string] => !!v[1])
      .map(([dimension, value]) =>
        deps.cache.window(attemptsKey(body.type, dimension, value), {
          nowMs: now,
          keepMs: KEEP_MS,
          add: { member: event.id, atMs: now, amount: 0 },
          windowsMs: [],
        }),
      ),
  );
  return {
    object: 'risk_event' as const,
    id: event.id,
    type: body.type,
    customer_id: body.customer_id,
    device_id: body.device_id ?? null,
    ip: body.ip ?? null,
    attributes: body.attributes ?? {},
    created_at: event.created_at,
  };
}
