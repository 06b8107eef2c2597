import type { StreamEvent } from './stream.js';

/**
 * Topic and filter rules shared by both streams. They follow NATS subjects so a topic means the
 * same thing in memory and on JetStream: dot-separated tokens; in filters '*' matches one token
 * and '>' (last only) matches one or more.
 */

const TOKEN = /^[A-Za-z0-9_-]+$/;

export function assertTopic(topic: string): void {
  if (!topic.split('.').every((t) => TOKEN.test(t)))
    throw new Error(`invalid stream topic ${JSON.stringify(topic)}`);
}

export function assertFilter(filter: string): void {
  const tokens = filter.split('.');
  const ok = tokens.every((t, i) => TOKEN.test(t) || t === '*' || (t === '>' && i === tokens.length - 1));
  if (!ok) throw new Error(`invalid stream topic filter ${JSON.stringify(filter)}`);
}

/** Consumer (group) names become JetStream durable names: no dots, wildcards or spaces. */
export function assertConsumerName(name: string): void {
  if (!TOKEN.test(name)) throw new Error(`invalid stream consumer name ${JSON.stringify(name)}`);
}

export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('.');
  const t = topic.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return t.length > i;
    if (i >= t.length || (f[i] !== '*' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

/** Rejects what could not cross the wire, so the memory stream fails where NATS would. */
export function assertEvent(event: StreamEvent): void {
  assertTopic(event.topic);
  if (typeof event.id !== 'string' || event.id === '') throw new Error('stream event needs an id');
  if (typeof event.created_at !== 'string') throw new Error('stream event needs created_at');
  if (typeof event.payload !== 'object' || event.payload === null)
    throw new Error('stream event payload must be an object');
}

/** Parses what came off the wire; undefined when it is not an event (never redeliver those). */
export function parseEvent(data: unknown): StreamEvent | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const e = data as Partial<StreamEvent>;
  const ok =
    typeof e.id === 'string' &&
    typeof e.topic === 'string' &&
    typeof e.created_at === 'string' &&
    typeof e.payload === 'object' &&
    e.payload !== null;
  return ok ? (e as StreamEvent) : undefined;
}

/** Told about every handler failure and consumer fault; delivery carries on regardless. */
export type StreamErrorReporter = (error: unknown, consumer: string, event?: StreamEvent) => void;

export function report(
  reporter: StreamErrorReporter | undefined,
  error: unknown,
  consumer: string,
  event?: StreamEvent,
) {
  try {
    reporter?.(error, consumer, event);
  } catch {
    // a failing reporter must not stop delivery
  }
}

/** Default redelivery delay after a handler failure: 50 ms doubling, capped at 5 s. */
export function defaultRetryDelayMs(attempt: number): number {
  return Math.min(50 * 2 ** Math.max(0, attempt - 1), 5_000);
}
