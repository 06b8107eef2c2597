import { expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { AppSecrets, appChanged } from '../../src/merchants/index.js';
import { createApp, rotateAppSecret, setAppStatus } from '../../src/merchants/apps.js';
import { createInstitution, createMerchant } from '../../src/merchants/tenancy.js';
import { MemoryCache } from '../../src/platform/cache/index.js';
import { SecretBox, generateMasterKey } from '../../src/platform/secret-box.js';
import { describeEachEngine } from '../support/db.js';

describeEachEngine('app credentials cache', (ctx) => {
  it('sees a disable and a rotation on every node at once, through the shared version counter', async () => {
    const { db } = ctx.database;
    const clock = new ManualClock();
    const box = new SecretBox(generateMasterKey());
    const shared = new MemoryCache(clock); // stands for Redis: one cache, two nodes
    const institution = await createInstitution(db, 'Bank', clock);
    const merchant = await createMerchant(db, { name: 'Shop', institutionId: institution.id }, clock);
    const { app_id, app_secret } = await createApp(db, box, { merchantId: merchant.id, name: 'pos' }, clock);
    const nodeA = new AppSecrets({ db, box, clock, cache: shared });
    const nodeB = new AppSecrets({ db, box, clock, cache: shared });
    expect((await nodeA.get(app_id))?.secret).toBe(app_secret);
    expect((await nodeB.get(app_id))?.active).toBe(true);

    await setAppStatus(db, app_id, 'disabled');
    expect((await nodeB.get(app_id))?.active).toBe(true); // not told yet: still cached
    await appChanged(shared, app_id);
    expect((await nodeA.get(app_id))?.active).toBe(false);
    expect((await nodeB.get(app_id))?.active).toBe(false);

    await setAppStatus(db, app_id, 'active');
    const { secret } = await rotateAppSecret(db, box, app_id, clock);
    await appChanged(shared, app_id);
    expect((await nodeA.get(app_id))?.secret).toBe(secret);
    expect((await nodeB.get(app_id))?.secret).toBe(secret);
  });

  it('does not remember unknown apps', async () => {
    const clock = new ManualClock();
    const nodeA = new AppSecrets({
      db: ctx.database.db,
      box: new SecretBox(generateMasterKey()),
      clock,
      cache: new MemoryCache(clock),
    });
    expect(await nodeA.get('app_0000000000zzzzzzzzzzzzzz')).toBeUndefined();
  });
});
