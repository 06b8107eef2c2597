import type { Clock } from '../core/clock.js';
import type { Cache } from '../platform/cache/cache.js';
import { inTransaction, type Db } from '../platform/db/index.js';
import type { SecretBox } from '../platform/secret-box.js';
import { appChanged } from './app-secrets.js';
import { createApp, getApp, rotateAppSecret, setAppStatus } from './apps.js';
import { writeAuditBy, type AuditActor } from './audit.js';
import { getMerchant } from './tenancy.js';
import { appObject } from './views.js';

/**
 * Changes an operator makes to apps (API credentials): each one transaction with its audit entry;
 * a change that affects authentication is announced to every node's app cache after commit.
 */

export interface AppChangeDeps {
  db: Db;
  box: SecretBox;
  cache: Cache;
  clock: Clock;
}

/** A new app of the merchant; the secret is in the answer, and nowhere else ever again. */
export async function addApp(
  deps: AppChangeDeps,
  input: { merchantId: string; name: string; notifyUrl: string | null },
  by: AuditActor,
) {
  const { db, box, clock } = deps;
  return inTransaction(db, async (tx) => {
    await getMerchant(tx, input.merchantId);
    const created = await createApp(tx, box, input, clock);
    await writeAuditBy(tx, by, clock, {
      action: 'app.create',
      objectType: 'app',
      objectId: created.app_id,
      merchantId: input.merchantId,
      after: appObject(await getApp(tx, created.app_id)),
    });
    return created;
  });
}

/** A new secret, shown once; the old one stops working on every node at once. */
export async function rotateSecret(deps: AppChangeDeps, id: string, by: AuditActor) {
  const { db, box, clock } = deps;
  const result = await inTransaction(db, async (tx) => {
    const change = await rotateAppSecret(tx, box, id, clock);
    await writeAuditBy(tx, by, clock, {
      action: 'app.rotate_secret',
      objectType: 'app',
      objectId: id,
      merchantId: change.after.merchant_id,
      before: appObject(change.before),
      after: appObject(change.after),
    });
    return change;
  });
  await appChanged(deps.cache, id); // every node drops the old secret now
  return { ...appObject(result.after), app_secret: result.secret };
}

/** Disables or enables an app: a disabled app's requests get 401. */
export async function changeAppStatus(
  deps: AppChangeDeps,
  id: string,
  action: 'disable' | 'enable',
  by: AuditActor,
) {
  const { db, clock } = deps;
  const status = action === 'disable' ? 'disabled' : 'active';
  const after = await inTransaction(db, async (tx) => {
    const change = await setAppStatus(tx, id, status);
    if (change.before.status !== change.after.status) {
      await writeAuditBy(tx, by, clock, {
        action: `app.${action}`,
        objectType: 'app',
        objectId: id,
        merchantId: change.after.merchant_id,
        before: appObject(change.before),
        after: appObject(change.after),
      });
    }
    return change.after;
  });
  await appChanged(deps.cache, id);
  return appObject(after);
}
