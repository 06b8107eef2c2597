import { newId, randomToken } from '../core/ids.js';
import type { Clock } from '../core/clock.js';
import { ApiError } from '../core/errors.js';
import { newestFirst, type Queryable } from '../platform/db/index.js';
import type { SecretBox } from '../platform/secret-box.js';
import type { ListWindow } from './tenancy.js';

/** Apps are a merchant's API credentials: app_id + a secret stored encrypted with the master key. */

const SECRET_PURPOSE = 'app_secret';

export interface NewApp {
  merchantId: string;
  name: string;
  notifyUrl?: string | null;
}

export interface AppCredentials {
  app_id: string;
  app_secret: string;
}

export async function createApp(
  db: Queryable,
  box: SecretBox,
  input: NewApp,
  clock: Clock,
): Promise<AppCredentials> {
  const id = newId('app', clock.nowMs());
  const secret = randomToken(32);
  await db
    .insertInto('apps')
    .values({
      id,
      merchant_id: input.merchantId,
      name: input.name,
      secret_ciphertext: box.seal(secret, `${SECRET_PURPOSE}:${id}`),
      notify_url: input.notifyUrl ?? null,
      status: 'active',
      created_at: clock.now(),
    })
    .execute();
  return { app_id: id, app_secret: secret };
}

export interface AuthApp {
  id: string;
  merchantId: string;
  secret: string;
  active: boolean;
}

/** What authentication needs to know about an app; undefined if there is no such app. */
export async function findAppForAuth(
  db: Queryable,
  box: SecretBox,
  appId: string,
): Promise<AuthApp | undefined> {
  const row = await findApp(db, appId);
  return (
    row && {
      id: row.id,
      merchantId: row.merchant_id,
      secret: box.open(row.secret_ciphertext, `${SECRET_PURPOSE}:${row.id}`),
      active: row.status === 'active',
    }
  );
}

function findApp(db: Queryable, appId: string, lock = false) {
  const q = db.selectFrom('apps').selectAll().where('id', '=', appId);
  return (lock ? q.forUpdate() : q).executeTakeFirst();
}

export async function getApp(db: Queryable, appId: string, lock = false) {
  const row = await findApp(db, appId, lock);
  if (!row) throw new ApiError('resource_missing', `no app ${appId}`, 'id');
  return row;
}

export function listApps(db: Queryable, merchantId: string, w: ListWindow) {
  return newestFirst(db.selectFrom('apps').selectAll().where('merchant_id', '=', merchantId), w).execute();
}

/** Enables or disables an app; returns the row before and after (the same row if unchanged). */
export async function setAppStatus(db: Queryable, appId: string, status: 'active' | 'disabled') {
  const before = await getApp(db, appId, true);
  if (before.status === status) return { before, after: before };
  const after = await db
    .updateTable('apps')
    .set({ status })
    .where('id', '=', appId)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { before, after };
}

/**
 * Replaces an app's secret: the new one is returned once, and the old one stops working with the
 * next request (authentication reads the secret from the database each time).
 */
export async function rotateAppSecret(db: Queryable, box: SecretBox, appId: string, clock: Clock) {
  const before = await getApp(db, appId, true);
  const secret = randomToken(32);
  const after = await db
    .updateTable('apps')
    .set({
      secret_ciphertext: box.seal(secret, `${SECRET_PURPOSE}:${appId}`),
      secret_rotated_at: clock.now(),
    })
    .where('id', '=', appId)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { before, after, secret };
}
