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

/** A column as the API shows it: times as ISO 8601 text, everything else as stored. */
type ApiValue<V> = V extends Date ? string : V;

interface TenantRow {
  id: string;
  created_at: Date;
}

type ApiObject<O extends string, R extends TenantRow, K extends keyof R> = { object: O; id: string } & {
  [P in K]: ApiValue<R[P]>;
} & { created_at: string };

/**
 * Every tenant object: `object`, its id, the `columns` named (in that order: the JSON key order)
 * and created_at. Only the columns named are shown, so a column added to a table stays out until
 * listed here.
 */
function apiObject<O extends string, R extends TenantRow, K extends keyof R & string>(
  object: O,
  row: R,
  columns: readonly K[],
): ApiObject<O, R, K> {
  const out: Record<string, unknown> = { object, id: row.id };
  for (const column of columns) {
    const value = row[column];
    out[column] = value instanceof Date ? value.toISOString() : value;
  }
  out.created_at = row.created_at.toISOString();
  return out as ApiObject<O, R, K>;
}

export function institutionObject(row: Selectable<InstitutionsTable>) {
  return apiObject('institution', row, ['name']);
}

export function serviceProviderObject(row: Selectable<ServiceProvidersTable>) {
  return apiObject('service_provider', row, ['institution_id', 'name']);
}

export function merchantObject(row: Selectable<MerchantsTable>) {
  return apiObject('merchant', row, [
    'name',
    'institution_id',
    'service_provider_id',
    'status',
    'status_reason',
    'status_changed_at',
  ]);
}

export function storeObject(row: Selectable<StoresTable>) {
  return apiObject('store', row, ['merchant_id', 'name']);
}

export function terminalObject(row: Selectable<TerminalsTable>) {
  return apiObject('terminal', row, ['merchant_id', 'store_id', 'name', 'device_sn', 'status']);
}

/**
 * An app without its secret (the secret is only ever in the create / rotate response); `app_id`
 * repeats the id under the name the merchant API signs with.
 */
export function appObject(row: Selectable<AppsTable>) {
  return apiObject('app', { ...row, app_id: row.id }, [
    'app_id',
    'merchant_id',
    'name',
    'notify_url',
    'status',
    'secret_rotated_at',
  ]);
}
