// Static QR plates (码牌): blank batches, binding to a merchant/store, printable sheets, the
// customer's /q pages. Other modules and the app use this file only.
export type { PlateTables } from './tables.js';
export type { PlateOrder, PlateOrderCreator, PlateOrderInput } from './orders.js';
export { bindPlate, changePlate, createBlankPlates, getBatch, listBatchPlates } from './store.js';
export { isPlateCode, isValidAmountFen, MAX_BATCH_SIZE, plateUrl } from './rules.js';
export { renderPlateSheet } from './sheet.js';
export { applyPlateAction, createPlateBatch } from './changes.js';
export { registerPlateAdminRoutes } from './http/admin-routes.js';
export { registerPlatePages } from './http/page-routes.js';
