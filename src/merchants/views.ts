import type { Selectable } from 'kysely';
import type {
  AppsTable,
  InstitutionsTable,
  MerchantsTable,
  ServiceProvidersTable,
  StoresTable,
  TerminalsTable,
} from './tables.js';

/** API objects for the tenancy tables: what the admin API returns and the audit log snapshots. */

export function institutionObject(row: Selectable<InstitutionsTable>) {
  return {
    object: 'institution' as const,
    id: row.id,
    name: row.name,
    created_at: row.created_at.toISOString(),
  };
}

export function serviceProviderObject(row: Selectable<ServiceProvidersTable>) {
  return {
    object: 'service_provider' as const,
    id: row.id,
    institution_id: row.institution_id,
    name: row.name,
    created_at: row.created_at.toISOString(),
  };
}

export function merchantObject(row: Selectable<MerchantsTable>) {
  return {
    object: 'merchant' as const,
    id: row.id,
    name: row.name,
    institution_id: row.institution_id,
    service_provider_id: row.service_provider_id,
    status: row.status,
    status_reason: row.status_reason,
    status_changed_at: row.status_changed_at?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
  };
}

export function storeObject(row: Selectable<StoresTable>) {
  return {
    object: 'store' as const,
    id: row.id,
    merchant_id: row.merchant_id,
    name: row.name,
    created_at: row.created_at.toISOString(),
  };
}

export function terminalObject(row: Selectable<TerminalsTable>) {
  return {
    object: 'terminal' as const,
    id: row.id,
    merchant_id: row.merchant_id,
    store_id: row.store_id,
    name: row.name,
    device_sn: row.device_sn,
    status: row.status,
    created_at: row.created_at.toISOString(),
  };
}

/** An app without its secret: the secret is only ever in the create / rotate response. */
export function appObject(row: Selectable<AppsTable>) {
  return {
    object: 'app' as const,
    id: row.id,
    app_id: row.id,
    merchant_id: row.merchant_id,
    name: row.name,
    notify_url: row.notify_url,
    status: row.status,
    secret_rotated_at: row.secret_rotated_at?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
  };
}
