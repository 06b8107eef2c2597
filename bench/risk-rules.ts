/**
 * The benchmark's 50 rules, written once as data and rendered both as CEL (our engine) and as
 * json-rules-engine conditions, so the two engines evaluate exactly the same logic.
 */

export interface BenchRule {
  name: string;
  /** all must hold */
  all: Array<{ fact: BenchFact; op: '>' | '>=' | '==' | '!='; value: number | string }>;
}

export type BenchFact =
  | 'amount'
  | 'channel'
  | 'count_ip_60s'
  | 'count_device_1h'
  | 'count_customer_24h'
  | 'sum_customer_24h'
  | 'count_payer_1h';

/** The five counters: (function, dimension, window) as the CEL calls name them. */
export const COUNTER_CEL: Record<string, string> = {
  count_ip_60s: 'count("ip", "60s")',
  count_device_1h: 'count("device", "1h")',
  count_customer_24h: 'count("customer", "24h")',
  sum_customer_24h: 'sum("customer", "24h")',
  count_payer_1h: 'count("payer", "1h")',
};

const COUNTERS = Object.keys(COUNTER_CEL) as BenchFact[];

export function benchRules(): BenchRule[] {
  return Array.from({ length: 50 }, (_, i) => {
    const counter = COUNTERS[i % COUNTERS.length]!;
    const threshold = counter === 'sum_customer_24h' ? 5_000_000 + i * 1000 : 20 + i;
    return {
      name: `rule ${i}`,
      all: [
        { fact: 'amount', op: '>=', value: 10_000 + i * 100 },
        { fact: counter, op: '>', value: threshold },
        { fact: 'channel', op: i % 2 ? '!=' : '==', value: 'wechatpay' },
      ],
    };
  });
}

export function toCel(rule: BenchRule): string {
  return rule.all
    .map(({ fact, op, value }) => {
      const left =
        fact === 'amount' ? 'payment.amount' : fact === 'channel' ? 'payment.channel' : COUNTER_CEL[fact];
      return `${left} ${op} ${typeof value === 'string' ? JSON.stringify(value) : value}`;
    })
    .join(' && ');
}

const JRE_OP = { '>': 'greaterThan', '>=': 'greaterThanInclusive', '==': 'equal', '!=': 'notEqual' } as const;

export function toJsonRulesEngine(rule: BenchRule) {
  return {
    name: rule.name,
    conditions: { all: rule.all.map(({ fact, op, value }) => ({ fact, operator: JRE_OP[op], value })) },
    event: { type: 'reject', params: { rule: rule.name } },
  };
}
