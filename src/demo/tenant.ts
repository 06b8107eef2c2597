import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ONBOARDING_CHANNEL_IDS } from '../channels/index.js';
import type { Clock } from '../core/clock.js';
import type { Db } from '../platform/db/index.js';
import type { SecretBox } from '../platform/secret-box.js';
import { getOrCreateSetting } from '../platform/settings.js';
import {
  createApp,
  createApplication,
  createInstitution,
  createMerchant,
  createServiceProvider,
  createStore,
  normaliseKyc,
  submitApplication,
} from '../merchants/index.js';
import { bindPlate, createBlankPlates } from '../merchants/plates/index.js';
import type { SandboxKeys } from '../sandbox/keys.js';
import { writeDemoChannelConfigs } from './channels.js';
import { getPricing, installDemoPricing } from '../fees/index.js';

/** The demo tenant `npm start` creates on an empty installation, and the demo.json that describes it. */

interface DemoRecord {
  institution_id: string;
  service_provider_id: string;
  merchant_id: string;
  store_id: string;
  app_id: string;
  app_secret_sealed: string;
  plates: { bound: string[]; blank: string[] };
}

export interface DemoFile {
  merchant_id: string;
  app_id: string;
  app_secret: string;
  admin_token: string;
  base_url: string;
  sandbox_url: string;
  plates: { bound: string[]; blank: string[] };
}

/**
 * Creates the demo tenant once per installation. With `sandbox`, its service provider and merchant
 * get channel configurations pointing at the sandbox simulators and holding their keys.
 */
/** The demo merchant's papers: valid check characters, obviously fictional. */
const DEMO_KYC = {
  legal_name: '演示咖啡有限公司',
  short_name: '演示咖啡',
  license_no: '91350100M000100Y43',
  legal_person_name: '张三',
  legal_person_id_no: '11010519491231002X',
  contact_phone: '13800138000',
  mcc: '5814',
  settlement_account: {
    bank_name: '中国工商银行',
    account_name: '演示咖啡有限公司',
    account_no: '0200004509200012345',
  },
};

export async function ensureDemoTenant(
  db: Db,
  box: SecretBox,
  clock: Clock,
  sandbox?: { url: string; keys: SandboxKeys },
): Promise<{ record: DemoRecord; secret: string }> {
  const record = await getOrCreateSetting<DemoRecord>(db, 'demo', clock, async (tx) => {
    const institution = await createInstitution(tx, 'Demo Bank', clock);
    const provider = await createServiceProvider(tx, institution.id, 'Demo Service Provider', clock);
    const merchant = await createMerchant(
      tx,
      { name: 'Demo Coffee', institutionId: institution.id, serviceProviderId: provider.id },
      clock,
    );
    const store = await createStore(tx, merchant.id, 'Demo Coffee — Main Street', clock);
    await installDemoPricing(tx, institution.id, clock.now()); // CONTRACT §6: the demo's rates
    const app = await createApp(tx, box, { merchantId: merchant.id, name: 'Demo app' }, clock);
    if (sandbox) {
      const ids = { institutionId: institution.id, serviceProviderId: provider.id, merchantId: merchant.id };
      await writeDemoChannelConfigs(tx, box, ids, sandbox, clock);
      // …and onboards it: the sandbox channels approve within seconds and the worker writes the
      // new sub-merchant ids into the merchant's configuration, as a real onboarding would.
      const application = await createApplication(tx, box, merchant.id, normaliseKyc(DEMO_KYC), clock);
      await submitApplication(tx, box, application.id, ONBOARDING_CHANNEL_IDS, clock);
    }
    const { codes } = await createBlankPlates(tx, 3, clock);
    const [first, second, blank] = codes as [string, string, string];
    await bindPlate(tx, first, merchant.id, store.id);
    await bindPlate(tx, second, merchant.id, null);
    return {
      institution_id: institution.id,
      service_provider_id: provider.id,
      merchant_id: merchant.id,
      store_id: store.id,
      app_id: app.app_id,
      app_secret_sealed: box.seal(app.app_secret, 'demo_app_secret'),
      plates: { bound: [first, second], blank: [blank] },
    };
  });
  if (sandbox) await tellSandboxThePricing(db, sandbox.url);
  return { record, secret: box.open(record.app_secret_sealed, 'demo_app_secret') };
}

/**
 * The sandbox's bills charge the channel costs of the installation's `default` pricing (CONTRACT
 * §6), so an honest day reconciles without fee mismatches: at every start the demo hands the
 * sandbox the costs the pricing holds now (an operator's change since the seeding included).
 */
async function tellSandboxThePricing(db: Db, sandboxUrl: string): Promise<void> {
  const pricing = await getPricing(db, 'default');
  if (!pricing) return;
  try {
    await fetch(`${sandboxUrl}/sandbox/pricing`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel_costs: pricing.channel_costs }),
      signal: AbortSignal.timeout(5_000),
    });
  } catch {
    // the sandbox keeps the demo pricing's costs: reconciliation would report the difference as fee mismatches
  }
}

export function demoFile(
  record: DemoRecord,
  secret: string,
  adminToken: string,
  baseUrl: string,
  sandboxUrl: string,
): DemoFile {
  return {
    merchant_id: record.merchant_id,
    app_id: record.app_id,
    app_secret: secret,
    admin_token: adminToken,
    base_url: baseUrl,
    sandbox_url: sandboxUrl,
    plates: record.plates,
  };
}

export function writeDemoFile(dataDir: string, file: DemoFile): string {
  mkdirSync(dataDir, { recursive: true });
  const target = path.join(dataDir, 'demo.json');
  writeFileSync(target, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  return target;
}
