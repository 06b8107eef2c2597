/**
 * A fast path for checked CEL rules: the common subset (literals, fields, comparisons, logic,
 * int/double arithmetic, `in`, count()/sum()/distinct(), size(), startsWith/endsWith/contains)
 * is turned into plain closures once per rule version, so a decision evaluates 50 rules in a few
 * microseconds instead of walking the AST through the interpreter.
 *
 * It only ever computes the ordinary case. Anything unusual at run time — an error, an overflow,
 * a missing key, a value of an unexpected type — throws SLOW, and the caller evaluates the rule
 * again with @marcbachmann/cel-js, whose answer (value or error) is the one that counts. A rule
 * with any construct outside the subset is not compiled here at all (fastProgram → undefined).
 * test/unit/risk-cel-fast.test.ts checks both paths agree on random expressions and inputs.
 */

/** Thrown by the fast path: "ask the interpreter". */
export const SLOW: unique symbol = Symbol('cel-slow-path');

type Value = unknown;
export type Activation = Record<string, unknown>;
type Fn = (a: Activation) => Value;

interface Node {
  op: string;
  args: unknown;
  checkedType?: { name: string };
}

/** How a count()/sum()/distinct() call reads its precomputed figure. */
export type VelocityReader = (fn: string, args: readonly string[]) => ((a: Activation) => bigint) | undefined;

const MAX_INT = 9223372036854775807n;
const MIN_INT = -9223372036854775808n;

function slow(): never {
  throw SLOW;
}

function int(v: bigint): bigint {
  return v > MAX_INT || v < MIN_INT ? slow() : v;
}

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && 'op' in v && 'args' in v;
}

const TYPEOF: Record<string, string> = { int: 'bigint', double: 'number', string: 'string', bool: 'boolean' };

/**
 * A read guarded by the node's checked type: a value of any other type (or undefined, or an
 * inherited property) is the interpreter's business.
 */
function typedRead(node: Node, read: (a: Activation) => unknown): Fn {
  switch (TYPEOF[node.checkedType?.name ?? '']) {
    case 'bigint':
      return (a) => {
        const v = read(a);
        return typeof v === 'bigint' ? v : slow();
      };
    case 'number':
      return (a) => {
        const v = read(a);
        return typeof v === 'number' ? v : slow();
      };
    case 'string':
      return (a) => {
        const v = read(a);
        return typeof v === 'string' ? v : slow();
      };
    case 'boolean':
      return (a) => {
        const v = read(a);
        return typeof v === 'boolean' ? v : slow();
      };
    default:
      return (a) => {
        const v = read(a);
        return typeof v === 'object' && v !== null && !(v instanceof Map) && !Array.isArray(v) ? v : slow();
      };
  }
}

function bool(fn: Fn): (a: Activation) => boolean {
  return (a) => {
    const v = fn(a);
    return typeof v === 'boolean' ? v : slow();
  };
}

function compare(op: string, l: Fn, r: Fn, literal: unknown): Fn {
  type Num = bigint | number;
  const test = {
    '<': (x: Num, y: Num) => x < y,
    '<=': (x: Num, y: Num) => x <= y,
    '>': (x: Num, y: Num) => x > y,
    '>=': (x: Num, y: Num) => x >= y,
  }[op]!;
  if (typeof literal === 'bigint') {
    // the usual rule: a figure against an int constant
    const y = literal;
    if (op === '>')
      return (a) => {
        const x = l(a);
        return typeof x === 'bigint' ? x > y : slow();
      };
    if (op === '>=')
      return (a) => {
        const x = l(a);
        return typeof x === 'bigint' ? x >= y : slow();
      };
    if (op === '<')
      return (a) => {
        const x = l(a);
        return typeof x === 'bigint' ? x < y : slow();
      };
    return (a) => {
      const x = l(a);
      return typeof x === 'bigint' ? x <= y : slow();
    };
  }
  return (a) => {
    const x = l(a);
    const y = r(a);
    const t = typeof x;
    if (t !== typeof y || (t !== 'bigint' && t !== 'number')) return slow();
    return test(x as bigint, y as bigint);
  };
}

function primitive(v: unknown): boolean {
  const t = typeof v;
  return t === 'bigint' || t === 'string' || t === 'boolean' || (t === 'number' && !Number.isNaN(v));
}

function equals(l: Fn, r: Fn, negate: boolean, literal: unknown): Fn {
  if (typeof literal === 'string' || typeof literal === 'bigint') {
    const y = literal;
    const t = typeof y;
    return negate
      ? (a) => {
          const x = l(a);
          return typeof x === t ? x !== y : slow();
        }
      : (a) => {
          const x = l(a);
          return typeof x === t ? x === y : slow();
        };
  }
  return (a) => {
    const x = l(a);
    const y = r(a);
    if (typeof x !== typeof y || !primitive(x)) return slow();
    return (x === y) !== negate;
  };
}

function arithmetic(op: string, l: Fn, r: Fn): Fn {
  return (a) => {
    const x = l(a);
    const y = r(a);
    if (typeof x === 'bigint' && typeof y === 'bigint') {
      if (op === '+') return int(x + y);
      if (op === '-') return int(x - y);
      if (op === '*') return int(x * y);
      if (y === 0n) return slow();
      return int(op === '/' ? x / y : x % y);
    }
    if (typeof x === 'number' && typeof y === 'number' && op !== '%') {
      if (op === '+') return x + y;
      if (op === '-') return x - y;
      if (op === '*') return x * y;
      return x / y;
    }
    if (op === '+' && typeof x === 'string' && typeof y === 'string') return x + y;
    return slow();
  };
}

function member(l: Fn, r: Fn): Fn {
  return (a) => {
    const x = l(a);
    const list = r(a);
    if (!Array.isArray(list) || !primitive(x)) return slow();
    for (const e of list) {
      if (typeof e !== typeof x) return slow(); // heterogeneous: the interpreter's rules
      if (e === x) return true;
    }
    return false;
  };
}

const STRING_METHODS: Record<string, (s: string, t: string) => boolean> = {
  startsWith: (s, t) => s.startsWith(t),
  endsWith: (s, t) => s.endsWith(t),
  contains: (s, t) => s.includes(t),
};

function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) i++;
    n++;
  }
  return n;
}

/** Compiles one node; undefined when it (or a child) is outside the subset. */
function compile(node: unknown, velocity: VelocityReader): Fn | undefined {
  if (!isNode(node)) return undefined;
  const sub = (child: unknown) => compile(child, velocity);
  const { op, args } = node;
  switch (op) {
    case 'value': {
      const v = args;
      if (v !== null && !primitive(v)) return undefined;
      return () => v;
    }
    case 'id': {
      const name = args as string;
      return typedRead(node, (a) => a[name]);
    }
    case '.': {
      const [objAst, field] = args as [unknown, string];
      const obj = sub(objAst);
      if (!obj || typeof field !== 'string') return undefined;
      // the checker knows the field; the type guard turns away inherited and missing ones
      return typedRead(node, (a) => (obj(a) as Record<string, unknown>)[field]);
    }
    case '[]': {
      const [objAst, keyAst] = args as [unknown, unknown];
      const obj = sub(objAst);
      const key = sub(keyAst);
      if (!obj || !key) return undefined;
      const read: Fn = (a) => {
        const o = obj(a) as Record<string, unknown>;
        const k = key(a);
        if (typeof k !== 'string' || !Object.prototype.hasOwnProperty.call(o, k)) return slow();
        return o[k];
      };
      return typedRead(node, read);
    }
    case '!_': {
      const v = sub(args);
      if (!v) return undefined;
      const b = bool(v);
      return (a) => !b(a);
    }
    case '-_': {
      const v = sub(args);
      if (!v) return undefined;
      return (a) => {
        const x = v(a);
        if (typeof x === 'bigint') return int(-x);
        return typeof x === 'number' ? -x : slow();
      };
    }
    case '&&':
    case '||': {
      const [l, r] = (args as unknown[]).map(sub);
      if (!l || !r) return undefined;
      if (op === '&&')
        return (a) => {
          const x = l(a);
          if (x === false) return false;
          const y = r(a);
          return x === true && typeof y === 'boolean' ? y : slow();
        };
      return (a) => {
        const x = l(a);
        if (x === true) return true;
        const y = r(a);
        return x === false && typeof y === 'boolean' ? y : slow();
      };
    }
    case '?:': {
      const [c, t, f] = (args as unknown[]).map(sub);
      if (!c || !t || !f) return undefined;
      const cond = bool(c);
      return (a) => (cond(a) ? t(a) : f(a));
    }
    case '==':
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=':
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
    case 'in': {
      const [l, r] = (args as unknown[]).map(sub);
      if (!l || !r) return undefined;
      const right = (args as unknown[])[1];
      const literal = isNode(right) && right.op === 'value' ? right.args : undefined;
      if (op === '==' || op === '!=') return equals(l, r, op === '!=', literal);
      if (op === 'in') return member(l, r);
      if (op.startsWith('<') || op.startsWith('>')) return compare(op, l, r, literal);
      return arithmetic(op, l, r);
    }
    case 'list': {
      const items = (args as unknown[]).map(sub);
      if (items.some((i) => !i)) return undefined;
      const fns = items as Fn[];
      return (a) => fns.map((f) => f(a));
    }
    case 'call': {
      const [name, callArgs] = args as [string, unknown[]];
      const literal = callArgs.map((c) => (isNode(c) && c.op === 'value' ? c.args : undefined));
      if (literal.every((l) => typeof l === 'string')) {
        const reader = velocity(name, literal as string[]);
        if (reader) return reader;
      }
      if (name === 'size' && callArgs.length === 1) {
        const v = sub(callArgs[0]);
        if (!v) return undefined;
        return (a) => {
          const s = v(a);
          return typeof s === 'string' ? BigInt(codePoints(s)) : slow();
        };
      }
      return undefined;
    }
    case 'rcall': {
      const [name, receiverAst, callArgs] = args as [string, unknown, unknown[]];
      const method = STRING_METHODS[name];
      if (!method || callArgs.length !== 1) return undefined;
      const receiver = sub(receiverAst);
      const arg = sub(callArgs[0]);
      if (!receiver || !arg) return undefined;
      return (a) => {
        const s = receiver(a);
        const t = arg(a);
        return typeof s === 'string' && typeof t === 'string' ? method(s, t) : slow();
      };
    }
    default:
      return undefined;
  }
}

/** The rule's fast program, or undefined when the rule needs the interpreter. */
export function fastProgram(
  ast: unknown,
  velocity: VelocityReader,
): ((a: Activation) => boolean) | undefined {
  const fn = compile(ast, velocity);
  return fn ? bool(fn) : undefined;
}
