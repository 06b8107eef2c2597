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

type ApiObject<O extends string, R, K extends keyof R> = { object: O } & { [P in K]: ApiValue<R[P]> };

/**
 * The API object `object` made of `row`'s columns `keys`, in that order (the JSON key order):
 * only the columns named are shown, so a column added to a table stays out until listed here.
 */
function apiObject<O extends string, R, K extends keyof R & string>(
  object: O,
  row: R,
  keys: readonly K[],
): ApiObject<O, R, K> {
  const out: Record<string, unknown> = { object };
  for (const key of keys) {
    const value = row[key];
    out[key] = value instanceof Date ? value.toISOString() : value;
  }
  return out as ApiObject<O, R, K>;
}

export function institutionObject(row: Selectable<InstitutionsTable>) {
  return apiObject('institution', row, ['id', 'name', 'created_at']);
}

export function serviceProviderObject(row: Selectable<ServiceProvidersTable>) {
  return apiObject('service_provider', row, ['id', 'institution_id', 'name', 'created_at']);
}

export function merchantObject(row: Selectable<MerchantsTable>) {
  return apiObject('merchant', row, [
    'id',
    'name',
    'institution_id',
    'service_provider_id',
    'status',
    'status_reason',
    'status_changed_at',
    'created_at',
  ]);
}

export function storeObject(row: Selectable<StoresTable>) {
  return apiObject('store', row, ['id', 'merchant_id', 'name', 'created_at']);
}

export function terminalObject(row: Selectable<TerminalsTable>) {
  return apiObject('terminal', row, [
    'id',
    'merchant_id',
    'store_id',
    'name',
    'device_sn',
    'status',
    'created_at',
  ]);
}

/**
 * An app without its secret (the secret is only ever in the create / rotate response); `app_id`
 * repeats the id under the name the merchant API signs with.
 */
export function appObject(row: Selectable<AppsTable>) {
  return apiObject('app', { ...row, app_id: row.id }, [
    'id',
    'app_id',
    'merchant_id',
    'name',
    'notify_url',
    'status',
    'secret_rotated_at',
    'created_at',
  ]);
}
