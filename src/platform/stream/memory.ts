import { systemClock, type Clock } from '../../core/clock.js';
import type { EventHandler, Stream, StreamEvent, Subscription } from './stream.js';
import {
  assertConsumerName,
  assertEvent,
  assertFilter,
  defaultRetryDelayMs,
  report,
  topicMatches,
  type StreamErrorReporter,
} from './topics.js';

export interface MemoryStreamOptions {
  /** Clock of the publish dedupe window. */
  clock?: Clock;
  /** A repeated event id within this window is dropped at publish, like JetStream; 0 turns it off. */
  dedupeWindowMs?: number;
  /** Real-time delay before redelivering after the handler's `attempt`-th failure. */
  retryDelayMs?: (attempt: number) => number;
  /** Called with every handler failure (the message is redelivered regardless). */
  onError?: StreamErrorReporter;
}

interface Member {
  handler: EventHandler;
}

interface Group {
  name: string;
  filter: string;
  /** JSON text, so each delivery gets its own copy and payloads behave as if sent on a wire */
  queue: string[];
  members: Member[];
  turn: number;
  attempts: number;
  running: boolean;
  retry: NodeJS.Timeout | undefined;
  /** the member handling the head message right now, and the promise of that call */
  busy: { member: Member; done: Promise<unknown> } | undefined;
}

/**
 * In-process stream for embedded mode.
 *
 * Groups: a group is created by its first subscribe and from then on queues every matching event,
 * also while it has no members (it is durable for the life of this object, like a JetStream
 * durable consumer; nothing survives a restart — the outbox table is the durable record).
 * Events published before a group's first subscribe are not delivered to it.
 *
 * Delivery: strictly ordered per group, one message in flight per group, handed to members in
 * turn. A handler that throws gets the same message again after retryDelayMs (head-of-line, so
 * order holds; there is no delivery limit, as with JetStream's default max_deliver).
 *
 * stop() and close() wait for a running handler to finish, so a handler must not await its own
 * subscription's stop().
 */
export class MemoryStream implements Stream {
  private readonly groups = new Map<string, Group>();
  private readonly seen = new Map<string, number>();
  private readonly clock: Clock;
  private readonly dedupeWindowMs: number;
  private readonly retryDelayMs: (attempt: number) => number;
  private closed = false;

  constructor(private readonly options: MemoryStreamOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.dedupeWindowMs = options.dedupeWindowMs ?? 120_000;
    this.retryDelayMs = options.retryDelayMs ?? defaultRetryDelayMs;
  }

  async publish(event: StreamEvent): Promise<void> {
    this.open();
    assertEvent(event);
    if (this.duplicate(event.id)) return;
    const text = JSON.stringify(event);
    for (const group of this.groups.values()) {
      if (!topicMatches(group.filter, event.topic)) continue;
      group.queue.push(text);
      this.schedule(group);
    }
  }

  async subscribe(consumer: string, topics: string, handler: EventHandler): Promise<Subscription> {
    this.open();
    assertConsumerName(consumer);
    assertFilter(topics);
    let group = this.groups.get(consumer);
    if (!group) {
      group = {
        name: consumer,
        filter: topics,
        queue: [],
        members: [],
        turn: 0,
        attempts: 0,
        running: false,
        retry: undefined,
        busy: undefined,
      };
      this.groups.set(consumer, group);
    } else if (group.filter !== topics) {
      throw new Error(`consumer ${consumer} already subscribes to ${group.filter}, not ${topics}`);
    }
    const member: Member = { handler };
    group.members.push(member);
    this.schedule(group);
    const joined = group;
    return { stop: () => this.leave(joined, member) };
  }

  async ping(): Promise<void> {
    this.open();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const busy: Promise<unknown>[] = [];
    for (const group of this.groups.values()) {
      clearTimeout(group.retry);
      group.members = [];
      if (group.busy) busy.push(group.busy.done);
    }
    await Promise.allSettled(busy);
  }

  /** Resolves once the member is out and no longer running a handler. */
  private async leave(group: Group, member: Member): Promise<void> {
    group.members = group.members.filter((m) => m !== member);
    if (group.busy?.member === member) await group.busy.done.catch(() => undefined);
  }

  private duplicate(id: string): boolean {
    if (this.dedupeWindowMs <= 0) return false;
    const now = this.clock.nowMs();
    // Insertion order is expiry order (the window is fixed), so expired ids sit at the front.
    for (const [seenId, expiresAt] of this.seen) {
      if (expiresAt > now) break;
      this.seen.delete(seenId);
    }
    if (this.seen.has(id)) return true;
    this.seen.set(id, now + this.dedupeWindowMs);
    return false;
  }

  /** Runs the group's pump on a later tick, so handlers never run inside publish's caller. */
  private schedule(group: Group): void {
    if (group.running || group.retry) return;
    setImmediate(() => void this.pump(group));
  }

  private async pump(group: Group): Promise<void> {
    if (group.running || group.retry || this.closed) return;
    group.running = true;
    try {
      while (!this.closed && group.queue.length > 0 && group.members.length > 0) {
        const member = group.members[group.turn++ % group.members.length] as Member;
        const text = group.queue[0] as string;
        const event = JSON.parse(text) as StreamEvent;
        const done = Promise.resolve().then(() => member.handler(event));
        group.busy = { member, done };
        try {
          await done;
          group.queue.shift();
          group.attempts = 0;
        } catch (error) {
          group.attempts += 1;
          report(this.options.onError, error, group.name, event);
          group.retry = setTimeout(() => {
            group.retry = undefined;
            void this.pump(group);
          }, this.retryDelayMs(group.attempts));
          return;
        } finally {
          group.busy = undefined;
        }
      }
    } finally {
      group.running = false;
    }
  }

  private open(): void {
    if (this.closed) throw new Error('stream is closed');
  }
}
