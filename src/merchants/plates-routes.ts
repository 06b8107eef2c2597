// The plate routes live in two files (admin API, customer pages); app.ts registers them from here.
export { registerPlateAdminRoutes } from './plates-admin-routes.js';
export { registerPlatePages } from './plates-page-routes.js';
