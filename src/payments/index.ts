// Orders, the cashier, payment codes, channel notifications, polling and expiry, refunds and
// payment exceptions. Other modules, the app (src/http/app.ts) and the CLI use this file only.
export type { PaymentRouteDeps } from './http/deps.js';
export { registerOrderReadRoutes, registerOrderWriteRoutes } from './http/orders.js';
export { registerRefundRoutes } from './http/refunds.js';
export { registerChannelNotifyRoutes } from './http/channel-notify.js';
export { registerCashierAdminRoutes, registerCashierRoutes } from './http/cashier.js';
export { registerAdminPaymentRoutes } from './http/admin-payments.js';
export { registerAdminRefundRoutes } from './http/admin-refunds.js';
export { plateOrderCreator } from './plate-orders.js';
export { paymentJobHandlers, type PaymentJobDeps } from './jobs.js';
export { orderRecovery } from './recover-order.js';
