import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindPlate, createBlankPlates } from '../../src/merchants/plates/store.js';
import { inTransaction, type Database } from '../../src/platform/db/index.js';
import { createTestDatabase } from '../support/db.js';
import { startPaymentsEnv, type PaymentsEnv } from '../support/payments.js';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.JUHEPAY_REQUIRE_SERVICES === '1') throw new Error(`${CHROMIUM} is missing`);

const WECHAT_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47 NetType/WIFI Language/zh_CN';

// A customer with a phone: scans a bound plate, types the amount, confirms in the (sandbox) wallet.
describe.skipIf(!available)('the cashier in a phone browser', () => {
  let database: Database;
  let env: PaymentsEnv;
  let browser: BrowserContext;
  const profile = mkdtempSync(path.join(tmpdir(), 'juhepay-chromium-'));
  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    env = await startPaymentsEnv(database);
    // a fresh profile folder per run (Playwright passes it as --user-data-dir)
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      userAgent: WECHAT_UA,
      viewport: { width: 390, height: 844 },
      isMobile: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await env?.close();
    await database?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it('pays a plate with WeChat end to end and shows the success page', async () => {
    const { codes } = await createBlankPlates(database.db, 1, env.clock);
    await inTransaction(database.db, (tx) => bindPlate(tx, codes[0]!, env.t.merchantId, null, env.clock));
    const page = await browser.newPage();
    await page.goto(`${env.baseUrl}/q/${codes[0]}`);
    await page.locator('input[name="amount"]').fill('12.34');
    await page.locator('form button, form [type="submit"]').first().click();
    // the cashier: OAuth hops happen by redirect, then the wallet button
    await page.locator('#pay').waitFor({ timeout: 15_000 });
    expect(await page.content()).toContain('12.34');
    await page.locator('#pay').click();
    // no WeixinJSBridge in a plain browser: the sandbox wallet page stands in for it
    await page.locator('#pay').waitFor({ timeout: 15_000 });
    expect(page.url()).toContain('/sandbox/wechat/checkout');
    await page.locator('#pay').click();
    await page.waitForURL(`${env.baseUrl}/pay/**`, { timeout: 15_000 });
    await page.getByText('支付成功').first().waitFor({ timeout: 15_000 });
    await page.screenshot({ path: path.join(tmpdir(), 'juhepay-cashier-success.png') });
    const order = await database.db
      .selectFrom('orders')
      .selectAll()
      .where('merchant_id', '=', env.t.merchantId)
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    expect(order).toMatchObject({ status: 'succeeded', amount: 1234, pay_way: 'wechat_jsapi' });
  });
});
