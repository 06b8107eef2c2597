import { Environment, ParseError } from '@marcbachmann/cel-js';
import { isDimension, parseWindow, type Dimension } from './windows.js';

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

export type VelocityKey = `${'count' | 'sum'}:${Dimension}:${number}`;

export interface VelocityCall {
  fn: 'count' | 'sum';
  dimension: Dimension;
  windowMs: number;
}

interface Slot {
  velocity: Map<string, number>;
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
  const slot: Slot = { velocity: new Map() };
  const read = (fn: string) => (dimension: string, window: string) =>
    BigInt(slot.velocity.get(`${fn}:${dimension}:${parseWindow(window) ?? 0}`) ?? 0);
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
    .registerFunction('sum(string, string): int', read('sum'));
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
}

interface AstNode {
  op: string;
  args: unknown;
  pos?: number;
}

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && 'op' in value && 'args' in value;
}

/** Finds count()/sum() calls and checks that their arguments are literal and valid. */
function velocityCalls(node: unknown, found: VelocityCall[]): void {
  if (Array.isArray(node)) {
    for (const child of node) velocityCalls(child, found);
    return;
  }
  if (!isNode(node)) return;
  if (
    node.op === 'call' &&
    Array.isArray(node.args) &&
    (node.args[0] === 'count' || node.args[0] === 'sum')
  ) {
    const fn = node.args[0] as 'count' | 'sum';
    const [dimension, window] = (node.args[1] as unknown[]).map((a) =>
      isNode(a) && a.op === 'value' ? a.args : undefined,
    );
    const position = node.pos ?? 0;
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
    found.push({ fn, dimension, windowMs });
  }
  velocityCalls(node.args, found);
}

/** Compiles a rule for its scene, or throws RuleCompileError with the position of the problem. */
export function compileRule(scene: string, expression: string): CompiledRule {
  if (expression.length > MAX_EXPRESSION_LENGTH)
    throw new RuleCompileError(
      `the expression is longer than ${MAX_EXPRESSION_LENGTH} characters`,
      MAX_EXPRESSION_LENGTH,
    );
  const { env } = sceneEnvironment(scene);
  let program: ReturnType<Environment['parse']>;
  try {
    program = env.parse(expression);
  } catch (error) {
    throw new RuleCompileError(firstLine(error), positionOf(error));
  }
  const checked = env.check(expression);
  if (!checked.valid) throw new RuleCompileError(firstLine(checked.error), positionOf(checked.error));
  if (checked.type !== 'bool')
    throw new RuleCompileError(`the expression must be a bool, not ${checked.type}`, 0);
  const velocity: VelocityCall[] = [];
  velocityCalls(program.ast, velocity);
  if (velocity.length > MAX_VELOCITY_CALLS)
    throw new RuleCompileError(`at most ${MAX_VELOCITY_CALLS} count()/sum() calls per rule`, 0);
  return { evaluate: (activation) => program(activation), velocity };
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
