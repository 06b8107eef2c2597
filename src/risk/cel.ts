import { Environment, ParseError } from '@marcbachmann/cel-js';
import { fastProgram, SLOW, type VelocityReader } from './cel-fast.js';
import { isDimension, isOutcomeKind, parseWindow, type Dimension, type OutcomeKind } from './windows.js';

/**
 * CEL rules: one typed environment per scene (CONTRACT §8), compiled once per rule version, with
 * limits on size. Pure: velocity figures are looked up before evaluation and read by count()/sum()
 * from the scene's slot (evaluation is synchronous, so one slot per environment is enough).
 */

export const MAX_EXPRESSION_LENGTH = 2_000;
/** At most this many count()/sum() calls per rule: each is a window read. */
export const MAX_VELOCITY_CALLS = 10;
const LIMITS = {
  maxAstNodes: 300,
  maxDepth: 32,
  maxListElements: 100,
  maxMapEntries: 100,
  maxCallArguments: 8,
};

export const PROFILE_TAGS = [
  'usual_wallet',
  'usual_pay_way',
  'usual_device',
  'active_hours',
  'spending_level',
];

const SUBJECT_FIELDS = {
  amount: 'int',
  merchant_id: 'string',
  channel: 'string',
  payer: 'string',
  customer: 'string',
  ip: 'string',
  device: 'string',
} as const;

export type VelocityFn = 'count' | 'sum' | 'distinct';

export interface VelocityCall {
  fn: VelocityFn;
  dimension: Dimension;
  windowMs: number;
  /** distinct(): the dimension whose different values are counted */
  counted?: Dimension | undefined;
  /** count()/sum() of outcomes the stream consumer added, instead of attempts */
  outcome?: OutcomeKind | undefined;
}

/** The slot key of one figure: `count:ip:60000`, `distinct:device:86400000:ip`. */
export function velocityKey(call: VelocityCall): string {
  const base = `${call.fn}:${call.dimension}:${call.windowMs}`;
  const extra = call.counted ?? call.outcome;
  return extra ? `${base}:${extra}` : base;
}

/** Window spellings seen by the interpreter's count()/sum()/distinct(), parsed once each. */
const windowCache = new Map<string, number>();
function windowMsOf(text: string): number {
  let ms = windowCache.get(text);
  if (ms === undefined) {
    ms = parseWindow(text) ?? 0;
    if (windowCache.size < 1_000) windowCache.set(text, ms);
  }
  return ms;
}

interface Slot {
  /** this decision's figures by key (read by the interpreter) */
  velocity: Map<string, number>;
  /** the same as ints, by the index the fast path was compiled with: converted once per decision */
  figures: bigint[];
  /** key → index in figures, grown as rules are compiled */
  index: Map<string, number>;
}

/** Hands a decision's velocity figures to the scene's rules (before evaluating them). */
export function setVelocity(slot: Slot, velocity: Map<string, number>): void {
  slot.velocity = velocity;
  const figures = slot.figures;
  figures.fill(0n);
  for (const [key, value] of velocity) {
    const i = slot.index.get(key);
    if (i !== undefined) figures[i] = BigInt(value);
  }
}

export interface SceneEnvironment {
  env: Environment;
  slot: Slot;
  /** 'payment' for the payment scene, 'event' for every other scene */
  root: 'payment' | 'event';
}

export function sceneRoot(scene: string): 'payment' | 'event' {
  return scene === 'payment' ? 'payment' : 'event';
}

const environments = new Map<string, SceneEnvironment>();

export function sceneEnvironment(scene: string): SceneEnvironment {
  const root = sceneRoot(scene);
  const cached = environments.get(root);
  if (cached) return cached;
  const slot: Slot = { velocity: new Map(), figures: [], index: new Map() };
  const read = (fn: string) => (dimension: string, window: string, outcome?: string) =>
    BigInt(slot.velocity.get(`${fn}:${dimension}:${windowMsOf(window)}${outcome ? `:${outcome}` : ''}`) ?? 0);
  const readDistinct = (counted: string, dimension: string, window: string) =>
    BigInt(slot.velocity.get(`distinct:${dimension}:${windowMsOf(window)}:${counted}`) ?? 0);
  const profileSchema = Object.fromEntries(
    PROFILE_TAGS.map((t) => [t, { top: 'string', confidence: 'double' }]),
  );
  const fields =
    root === 'payment'
      ? SUBJECT_FIELDS
      : { ...SUBJECT_FIELDS, type: 'string', order_id: 'string', attributes: 'map<string, string>' };
  const env = new Environment({ limits: LIMITS })
    .registerVariable({ name: root, schema: fields })
    .registerVariable({ name: 'profile', schema: profileSchema })
    .registerFunction('count(string, string): int', read('count'))
    .registerFunction('sum(string, string): int', read('sum'))
    .registerFunction('count(string, string, string): int', read('count'))
    .registerFunction('sum(string, string, string): int', read('sum'))
    .registerFunction('distinct(string, string, string): int', readDistinct);
  const made = { env, slot, root };
  environments.set(root, made);
  return made;
}

export class RuleCompileError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} (at position ${position})`);
    this.name = 'RuleCompileError';
  }
}

export interface CompiledRule {
  evaluate(activation: Record<string, unknown>): unknown;
  velocity: VelocityCall[];
  /** evaluated by the compiled fast path (cel-fast.ts), else by the interpreter */
  fast: boolean;
}

interface AstNode {
  op: string;
  args: unknown;
  pos?: number;
}

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && 'op' in value && 'args' in value;
}

const VELOCITY_FNS: readonly string[] = ['count', 'sum', 'distinct'];

/** A count()/sum()/distinct() call's literal arguments, checked; throws with the call's position. */
function velocityCall(fn: VelocityFn, args: readonly unknown[], position: number): VelocityCall {
  const counted = fn === 'distinct' ? args[0] : undefined;
  const [dimension, window, outcome] = fn === 'distinct' ? args.slice(1) : args;
  if (fn !== 'distinct' && args.length === 3 && !isOutcomeKind(outcome))
    throw new RuleCompileError(`${fn}()'s third argument is a literal "succeeded" or "refunded"`, position);
  if (fn === 'distinct' && (typeof counted !== 'string' || !isDimension(counted)))
    throw new RuleCompileError(
      'distinct() counts a literal dimension: "payer", "customer", "ip" or "device"',
      position,
    );
  if (typeof dimension !== 'string' || !isDimension(dimension))
    throw new RuleCompileError(
      `${fn}() takes a literal dimension: "payer", "customer", "ip" or "device"`,
      position,
    );
  const windowMs = typeof window === 'string' ? parseWindow(window) : undefined;
  if (windowMs === undefined)
    throw new RuleCompileError(
      `${fn}() takes a literal window like "60s", "15m", "1h", "24h" (at most 24h)`,
      position,
    );
  return {
    fn,
    dimension,
    windowMs,
    counted: counted as Dimension | undefined,
    outcome: fn === 'distinct' ? undefined : (outcome as OutcomeKind | undefined),
  };
}

/** Finds count()/sum()/distinct() calls and checks that their arguments are literal and valid. */
function velocityCalls(node: unknown, found: VelocityCall[]): void {
  if (Array.isArray(node)) {
    for (const child of node) velocityCalls(child, found);
    return;
  }
  if (!isNode(node)) return;
  if (node.op === 'call' && Array.isArray(node.args) && VELOCITY_FNS.includes(node.args[0] as string)) {
    const literals = (node.args[1] as unknown[]).map((a) =>
      isNode(a) && a.op === 'value' ? a.args : undefined,
    );
    found.push(velocityCall(node.args[0] as VelocityFn, literals, node.pos ?? 0));
  }
  velocityCalls(node.args, found);
}

/** The fast path reads a figure straight from the slot, by a key fixed at compile time. */
function slotReader(slot: Slot): VelocityReader {
  return (fn, args) => {
    if (!VELOCITY_FNS.includes(fn)) return undefined;
    let call: VelocityCall;
    try {
      call = velocityCall(fn as VelocityFn, args, 0);
    } catch {
      return undefined;
    }
    const key = velocityKey(call);
    let i = slot.index.get(key);
    if (i === undefined) {
      i = slot.index.size;
      slot.index.set(key, i);
      slot.figures.push(0n);
    }
    const at = i;
    return () => slot.figures[at]!;
  };
}

/** Compiles a rule for its scene, or throws RuleCompileError with the position of the problem. */
export function compileRule(scene: string, expression: string): CompiledRule {
  if (expression.length > MAX_EXPRESSION_LENGTH)
    throw new RuleCompileError(
      `the expression is longer than ${MAX_EXPRESSION_LENGTH} characters`,
      MAX_EXPRESSION_LENGTH,
    );
  const { env, slot } = sceneEnvironment(scene);
  let program: ReturnType<Environment['parse']>;
  try {
    program = env.parse(expression);
  } catch (error) {
    throw new RuleCompileError(firstLine(error), positionOf(error));
  }
  // checks the very AST that is evaluated, so evaluation never type-checks again
  const checked = program.check();
  if (!checked.valid) throw new RuleCompileError(firstLine(checked.error), positionOf(checked.error));
  if (checked.type !== 'bool')
    throw new RuleCompileError(`the expression must be a bool, not ${checked.type}`, 0);
  const velocity: VelocityCall[] = [];
  velocityCalls(program.ast, velocity);
  if (velocity.length > MAX_VELOCITY_CALLS)
    throw new RuleCompileError(`at most ${MAX_VELOCITY_CALLS} count()/sum()/distinct() calls per rule`, 0);
  const interpret = (activation: Record<string, unknown>) => program(activation);
  const fast = fastProgram(program.ast, slotReader(slot));
  if (!fast) return { evaluate: interpret, velocity, fast: false };
  return {
    evaluate: (activation) => {
      try {
        return fast(activation);
      } catch (error) {
        if (error === SLOW) return interpret(activation);
        throw error;
      }
    },
    velocity,
    fast: true,
  };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

function positionOf(error: unknown): number {
  const node = (error as { node?: { pos?: number } } | undefined)?.node;
  return typeof node?.pos === 'number' ? node.pos : 0;
}

export { ParseError };
