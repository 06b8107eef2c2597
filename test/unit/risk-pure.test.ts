import { describe, expect, it } from 'vitest';
import { compileRule, RuleCompileError } from '../../src/risk/cel.js';
import { combine, type RuleResult } from '../../src/risk/decide.js';
import { parseRange, parseIp, rangeContains } from '../../src/risk/ip.js';
import { checkListValue, ListIndex, type ListEntry } from '../../src/risk/lists.js';
import { parseWindow } from '../../src/risk/windows.js';

const entry = (over: Partial<ListEntry>): ListEntry => ({
  id: 'rle_x',
  list: 'block',
  type: 'ip',
  value: '1.2.3.4',
  reason: null,
  expiresAt: null,
  source: 'operator',
  ...over,
});

describe('risk lists (pure)', () => {
  it('matches IPv4/IPv6 addresses and CIDR ranges, including IPv4-mapped IPv6', () => {
    expect(rangeContains(parseRange('10.0.0.0/8')!, parseIp('10.200.3.4')!)).toBe(true);
    expect(rangeContains(parseRange('10.0.0.0/8')!, parseIp('11.0.0.1')!)).toBe(false);
    expect(rangeContains(parseRange('2001:db8::/32')!, parseIp('2001:DB8:0:1::5')!)).toBe(true);
    expect(rangeContains(parseRange('192.0.2.0/24')!, parseIp('::ffff:192.0.2.1')!)).toBe(true);
    expect(parseRange('10.0.0.0/33')).toBeUndefined();
    expect(parseRange('nope')).toBeUndefined();
    const index = new ListIndex([
      entry({ value: '2001:db8::1' }),
      entry({ id: 'r2', value: '172.16.0.0/12' }),
    ]);
    expect(index.verdict({ ip: '2001:0DB8:0000::1' }, 0)?.entry.id).toBe('rle_x');
    expect(index.verdict({ ip: '172.31.255.255' }, 0)?.entry.id).toBe('r2');
    expect(index.verdict({ ip: '172.32.0.0' }, 0)).toBeUndefined();
  });

  it('applies block > allow > review across subjects and ignores expired entries', () => {
    const index = new ListIndex([
      entry({ id: 'review', list: 'review', type: 'device', value: 'd' }),
      entry({ id: 'allow', list: 'allow', type: 'customer', value: 'mch_1:c' }),
      entry({ id: 'block', list: 'block', type: 'ip', value: '9.9.9.9', expiresAt: 1_000 }),
    ]);
    expect(index.verdict({ device: 'd' }, 0)?.list).toBe('review');
    expect(index.verdict({ device: 'd', customer: 'mch_1:c' }, 0)?.list).toBe('allow');
    expect(index.verdict({ device: 'd', customer: 'mch_1:c', ip: '9.9.9.9' }, 999)?.list).toBe('block');
    expect(index.verdict({ device: 'd', customer: 'mch_1:c', ip: '9.9.9.9' }, 1_000)?.list).toBe('allow');
    expect(checkListValue('payer', 'wechatpay:o123')).toBeUndefined();
    expect(checkListValue('payer', 'o123')).toBeDefined();
  });

  it('combines rules: active reject beats review, shadow never counts, allow overrides rules', () => {
    const r = (over: Partial<RuleResult>): RuleResult => ({
      rule_id: 'rul_a',
      version: 1,
      name: 'a',
      action: 'reject',
      mode: 'active',
      priority: 0,
      result: true,
      ...over,
    });
    expect(combine(undefined, [r({ mode: 'shadow' })]).decision).toBe('accept');
    expect(combine(undefined, [r({ action: 'review', rule_id: 'rul_b' }), r({})]).decision).toBe('reject');
    expect(combine(undefined, [r({ result: 'error' })]).decision).toBe('accept');
    const allow = { list: 'allow' as const, entry: entry({ list: 'allow' }) };
    expect(combine(allow, [r({})]).decision).toBe('accept');
    const review = { list: 'review' as const, entry: entry({ list: 'review' }) };
    expect(combine(review, []).decision).toBe('review');
    expect(combine(review, [r({})]).decision).toBe('reject');
  });
});

describe('risk CEL rules (pure)', () => {
  it('finds the windows a rule reads and rejects non-literal or bad arguments with a position', () => {
    expect(compileRule('payment', 'count("ip", "60s") > 5 || sum("customer", "24h") > 100').velocity).toEqual(
      [
        { fn: 'count', dimension: 'ip', windowMs: 60_000 },
        { fn: 'sum', dimension: 'customer', windowMs: 86_400_000 },
      ],
    );
    expect(() => compileRule('payment', 'count(payment.ip, "60s") > 1')).toThrow(RuleCompileError);
    expect(() => compileRule('payment', 'count("email", "60s") > 1')).toThrow(/literal dimension/);
    expect(() => compileRule('payment', 'payment.amount')).toThrow(/must be a bool/);
    expect(() => compileRule('login', 'payment.amount > 1')).toThrow(RuleCompileError);
    expect(() => compileRule('payment', 'x'.repeat(2_001))).toThrow(/longer than/);
    const caught = (() => {
      try {
        compileRule('payment', 'payment.amount > 1 &&');
        return undefined;
      } catch (error) {
        return error as RuleCompileError;
      }
    })();
    expect(caught?.position).toBe(21);
    expect(compileRule('login', 'event.attributes["k"] == "v" && event.type == "login"').velocity).toEqual(
      [],
    );
  });

  it('parses windows up to 24 h', () => {
    expect(parseWindow('60s')).toBe(60_000);
    expect(parseWindow('24h')).toBe(86_400_000);
    expect(parseWindow('25h')).toBeUndefined();
    expect(parseWindow('0s')).toBeUndefined();
    expect(parseWindow('1w')).toBeUndefined();
  });
});
