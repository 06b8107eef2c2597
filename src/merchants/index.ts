// Tenants (institutions, service providers, merchants, stores), apps and their credentials,
// channel configurations, onboarding (进件) and plates. Other modules use this file only; plates
// has its own index (./plates/index.ts).
export {
  assertMerchantCanTransact,
  createInstitution,
  createMerchant,
  createServiceProvider,
  createStore,
} from './tenancy.js';
export { createApp, findAppForAuth } from './apps.js';
export { writeAudit, type AuditEntry } from './audit.js';
export type { ChannelName } from './tables.js';
export { upsertChannelConfig } from './channel-config/store.js';
export { normaliseKyc } from './kyc/application.js';
export { createApplication, submitApplication } from './onboarding/applications.js';
export { writeAuditBy, type AuditActor } from './audit.js';
export { AppSecrets, appChanged, type AppSecretsSource } from './app-secrets.js';
export { adminActor } from './http/admin-common.js';
export { registerAdminMerchantRoutes } from './http/admin-merchants.js';
export { onboardingJobHandlers } from './onboarding/jobs.js';
export { channelConfigSource } from './channel-config/source.js';
export { settlementAccountOf, type SettlementAccount } from './onboarding/settlement-account.js';
