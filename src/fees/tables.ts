import type { Generated } from 'kysely';
import type { Json, Timestamp } from '../platform/db/tables.js';

// Kysely table types for fees; registered in the schema type below. DDL: migration 0010.

export interface FeePricingTable {
  /** 'default' or a service provider id */
  owner_id: string;
  channel_costs: Json<Record<string, number>>;
  margin_shares: Json<{ service_provider: number; bank: number }>;
  updated_at: Timestamp;
}

export interface FeePlansTable {
  /** a merchant id, or an institution id for the institution's default plan */
  owner_id: string;
  rates: Json<Record<string, number>>;
  updated_at: Timestamp;
}

/** The rates and amounts fixed on an order when it succeeded, and what its refunds returned. */
export interface OrderFeesTable {
  order_id: string;
  merchant_id: string;
  channel: string;
  amount: number;
  rate: number;
  cost_rate: number;
  provider_share: number;
  bank_share: number;
  institution_id: string;
  service_provider_id: string | null;
  fee: number;
  channel_cost: number;
  provider_amount: number;
  bank_amount: number;
  institution_amount: number;
  refunded_amount: Generated<number>;
  fee_refunded: Generated<number>;
  cost_refunded: Generated<number>;
  provider_refunded: Generated<number>;
  bank_refunded: Generated<number>;
  institution_refunded: Generated<number>;
  created_at: Timestamp;
}

export interface FeeTables {
  fee_pricing: FeePricingTable;
  fee_plans: FeePlansTable;
  order_fees: OrderFeesTable;
}

// Registers these tables in the one Kysely schema type (platform/db/tables.ts), so platform never
// imports a domain module.
declare module '../platform/db/tables.js' {
  interface Tables extends FeeTables {}
}
