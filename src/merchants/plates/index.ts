// Static QR plates (码牌): blank batches, binding to a merchant/store, printable sheets, the
// customer's /q pages. Other modules and the app use this file only.
export type { PlateTables } from './tables.js';
export type { PlateOrder, PlateOrderCreator, PlateOrderInput } from './orders.js';
export { bindPlate, changePlate, createBlankPlates, getBatch, listBatchPlates } from './store.js';
export { isPlateCode, isValidAmountFen, MAX_BATCH_SIZE, plateUrl } from './rules.js';
import type { renderPlateSheet as render } from './sheet.js';

/** The printable sheet (pdf-lib loads on the first call, not with the server). */
export async function renderPlateSheet(...args: Parameters<typeof render>): ReturnType<typeof render> {
  return (await import('./sheet.js')).renderPlateSheet(...args);
}
export { applyPlateAction, createPlateBatch } from './changes.js';
export { registerPlateAdminRoutes } from './http/admin-routes.js';
export { registerPlatePages } from './http/page-routes.js';
