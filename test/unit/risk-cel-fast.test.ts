import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRule, sceneEnvironment, setVelocity } from '../../src/risk/cel.js';

/** The compiled fast path of CEL rules agrees with the interpreter, value for value and error for error. */

const INT = fc.oneof(
  fc.bigInt({ min: -1_000n, max: 1_000_000n }),
  fc.constantFrom(9223372036854775807n, -9223372036854775808n, 0n),
);
const intLit = INT.map((n) => (n < 0n ? `(${n})` : `${n}`));
const str = fc.constantFrom('', 'wechatpay', 'alipay', '10.0.0.1', 'dev-1', 'é😀');
const strLit = str.map((s) => JSON.stringify(s));
const velocity = fc.constantFrom(
  'count("ip", "60s")',
  'sum("customer", "24h")',
  'count("payer", "1h")',
  'distinct("ip", "device", "24h")',
);
const intField = fc.constantFrom('payment.amount');
const strField = fc.constantFrom('payment.channel', 'payment.ip', 'payment.device', 'payment.payer');

const intExpr: fc.Arbitrary<string> = fc.letrec<{ int: string }>((tie) => ({
  int: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    intLit,
    intField,
    velocity,
    fc
      .tuple(tie('int'), fc.constantFrom('+', '-', '*', '/', '%'), tie('int'))
      .map(([a, o, b]) => `(${a} ${o} ${b})`),
    strField.map((f) => `size(${f})`),
  ),
})).int;

const boolExpr: fc.Arbitrary<string> = fc.letrec<{ bool: string }>((tie) => ({
  bool: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc
      .tuple(intExpr, fc.constantFrom('<', '<=', '>', '>=', '==', '!='), intExpr)
      .map(([a, o, b]) => `${a} ${o} ${b}`),
    fc.tuple(strField, fc.constantFrom('==', '!='), strLit).map(([a, o, b]) => `${a} ${o} ${b}`),
    fc.tuple(strField, fc.array(strLit, { maxLength: 3 })).map(([f, l]) => `${f} in [${l.join(', ')}]`),
    fc
      .tuple(strField, fc.constantFrom('startsWith', 'endsWith', 'contains'), strLit)
      .map(([f, m, s]) => `${f}.${m}(${s})`),
    fc
      .tuple(intExpr, fc.constantFrom('<', '>'), fc.double({ noNaN: true, min: -1e6, max: 1e6 }))
      .map(([a, o, d]) => `double(${a}) ${o} ${d.toFixed(2)}`),
    fc.tuple(tie('bool'), fc.constantFrom('&&', '||'), tie('bool')).map(([a, o, b]) => `(${a} ${o} ${b})`),
    tie('bool').map((b) => `!(${b})`),
    fc.tuple(tie('bool'), tie('bool'), tie('bool')).map(([c, a, b]) => `(${c} ? ${a} : ${b})`),
    fc.constantFrom('true', 'false'),
  ),
})).bool;

const activationArb = fc.record({
  amount: INT,
  channel: str,
  ip: str,
  device: str,
  payer: str,
  figures: fc.array(fc.integer({ min: 0, max: 2_000_000 }), { minLength: 4, maxLength: 4 }),
});

function outcome(run: () => unknown): unknown {
  try {
    return { value: run() };
  } catch {
    return 'error';
  }
}

describe('risk CEL fast path', () => {
  it('agrees with the interpreter on random rules and inputs (errors included)', () => {
    const { env, slot } = sceneEnvironment('payment');
    let fastRules = 0;
    fc.assert(
      fc.property(boolExpr, fc.array(activationArb, { minLength: 1, maxLength: 4 }), (expression, inputs) => {
        const compiled = compileRule('payment', expression);
        if (compiled.fast) fastRules++;
        const program = env.parse(expression);
        for (const input of inputs) {
          setVelocity(
            slot,
            new Map([
              ['count:ip:60000', input.figures[0]!],
              ['sum:customer:86400000', input.figures[1]!],
              ['count:payer:3600000', input.figures[2]!],
              ['distinct:device:86400000:ip', input.figures[3]!],
            ]),
          );
          const activation = {
            payment: {
              amount: input.amount,
              merchant_id: 'mch_1',
              channel: input.channel,
              payer: input.payer,
              customer: '',
              ip: input.ip,
              device: input.device,
            },
            profile: {},
          };
          expect(outcome(() => compiled.evaluate(activation))).toEqual(outcome(() => program(activation)));
        }
      }),
      { numRuns: 400 },
    );
    expect(fastRules).toBeGreaterThan(300); // double() is outside the subset: the rest are compiled
  });

  it('falls back to the interpreter for what it does not compile', () => {
    expect(compileRule('payment', 'payment.amount > 100').fast).toBe(true);
    expect(compileRule('payment', '[1, 2].exists(x, x > payment.amount)').fast).toBe(false);
    expect(compileRule('payment', 'count("ip", "60s") > 5 && payment.channel == "alipay"').fast).toBe(true);
  });
});
