/** The risk module (CONTRACT §8): the only file other modules import. */

export type { RiskDecision, DecisionRequest } from './engine.js';
export type { OrderFacts, PaymentRiskCheck, RefundFacts, RefundRiskCheck } from './hooks.js';
export { payerSubject } from './hooks.js';
export { loadRiskConfig, RiskConfigError, type RiskConfig } from './config.js';
export type { RiskTables } from './tables.js';
export { registerRiskAdminRoutes, registerRiskMerchantRoutes } from './http/routes.js';
export { riskStreamConsumers } from './events.js';
export { recomputeLists } from './jobs.js';
export { createRisk, type Risk, type RiskDeps } from './risk.js';
