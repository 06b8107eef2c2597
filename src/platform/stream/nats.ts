import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import type { EventHandler, Stream, StreamEvent, Subscription } from './stream.js';
import {
  assertConsumerName,
  assertEvent,
  assertFilter,
  assertTopic,
  defaultRetryDelayMs,
  parseEvent,
  report,
  type StreamErrorReporter,
} from './topics.js';

export interface NatsStreamOptions {
  url: string;
  /** JetStream stream name; a test file uses its own and deletes it. */
  streamName?: string;
  /** Subjects are `<prefix>.<topic>`; the stream captures `<prefix>.>`. */
  subjectPrefix?: string;
  /** Prepended (`<prefix>_<consumer>`) to every durable consumer name (NATS_STREAM_PREFIX). */
  consumerPrefix?: string;
  /** Time a delivered message may stay unacknowledged before JetStream redelivers it. */
  ackWaitMs?: number;
  /** Publishes with an event id already seen within this window are dropped by the server. */
  duplicateWindowMs?: number;
  /** Retention of the stream (limits policy): consumers that fall further behind lose events. */
  maxAgeMs?: number;
  /** Messages one member pulls at a time. */
  batch?: number;
  /** Lifetime of each pull request (min 1000); also how long a stopping member's handover waits. */
  pullExpiresMs?: number;
  /** Delay before redelivery after the handler's `deliveryCount`-th failure (nak with delay). */
  retryDelayMs?: (deliveryCount: number) => number;
  onError?: StreamErrorReporter;
}

interface Member {
  stopped: boolean;
  messages: ConsumerMessages;
  loop: Promise<void>;
}

/**
 * NATS JetStream stream for production. Every subscribe names a durable pull consumer (the
 * group); members of a group share it, so each message goes to one of them. Differences from
 * the memory stream, all within the Stream contract:
 * - order is per member pull, and a redelivered message comes after the ones behind it;
 * - a member pulls `batch` messages at once; on stop, the unprocessed ones go back to the group
 *   after pullExpiresMs + 1 s, and anything the server was still sending to the stopped member
 *   comes back only after ack wait (JetStream cannot cancel an open pull request).
 * A new group starts at messages published after its creation (deliver policy "new"), matching
 * the memory stream; an existing group resumes where it left off, keeping its first settings.
 * stop() and close() wait for a running handler, so a handler must not await its own stop().
 */
export class NatsStream implements Stream {
  readonly streamName: string;
  readonly subjectPrefix: string;
  private readonly members = new Set<Member>();

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly options: NatsStreamOptions,
  ) {
    this.streamName = options.streamName ?? 'JUHEPAY';
    this.subjectPrefix = options.subjectPrefix ?? 'juhepay';
  }

  /** Connects and creates the stream if it does not exist yet (idempotent across nodes). */
  static async connect(options: NatsStreamOptions): Promise<NatsStream> {
    assertTopic(options.subjectPrefix ?? 'juhepay');
    const nc = await connect({ servers: options.url, name: 'juhepay', maxReconnectAttempts: -1 });
    try {
      const jsm = await jetstreamManager(nc);
      const stream = new NatsStream(nc, jetstream(nc), jsm, options);
      await stream.ensureStream();
      return stream;
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  async publish(event: StreamEvent): Promise<void> {
    assertEvent(event);
    // msgID makes JetStream drop a republish of the same event within the duplicate window.
    await this.js.publish(this.subject(event.topic), JSON.stringify(event), { msgID: event.id });
  }

  async subscribe(group: string, topics: string, handler: EventHandler): Promise<Subscription> {
    assertConsumerName(group);
    const consumer = this.options.consumerPrefix ? `${this.options.consumerPrefix}_${group}` : group;
    assertFilter(topics);
    const filter = this.subject(topics);
    const existing = await this.consumerFilter(consumer);
    if (existing === undefined) {
      await this.jsm.consumers.add(this.streamName, {
        durable_name: consumer,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.New,
        filter_subject: filter,
        ack_wait: nanos(this.ackWaitMs()),
        max_deliver: -1,
      });
    } else if (existing !== filter) {
      // The server (2.9) would silently re-point the whole group at the new filter.
      throw new Error(`consumer ${consumer} already subscribes to ${existing}, not ${filter}`);
    }
    const source = await this.js.consumers.get(this.streamName, consumer);
    const messages = await source.consume({
      max_messages: this.options.batch ?? 32,
      expires: this.pullExpiresMs(),
    });
    const member: Member = { stopped: false, messages, loop: Promise.resolve() };
    member.loop = this.run(consumer, member, handler);
    this.members.add(member);
    return { stop: () => this.stopMember(member) };
  }

  async ping(): Promise<void> {
    await this.jsm.streams.info(this.streamName); // JetStream up and our stream present, not just a socket
  }

  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    await Promise.all([...this.members].map((m) => this.stopMember(m)));
    await this.nc.drain();
  }

  /** Deletes the whole stream and its consumers (tests and operators only). */
  async deleteStream(): Promise<void> {
    await this.jsm.streams.delete(this.streamName);
  }

  private async ensureStream(): Promise<void> {
    try {
      await this.jsm.streams.info(this.streamName);
      return;
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound))
        throw error;
    }
    await this.jsm.streams.add({
      name: this.streamName,
      subjects: [`${this.subjectPrefix}.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      max_age: nanos(this.options.maxAgeMs ?? 7 * 24 * 3600_000),
      duplicate_window: nanos(this.options.duplicateWindowMs ?? 120_000),
    });
  }

  /** The filter subject of an existing durable, or undefined when there is none yet. */
  private async consumerFilter(consumer: string): Promise<string | undefined> {
    try {
      const info = await this.jsm.consumers.info(this.streamName, consumer);
      return info.config.filter_subject ?? '';
    } catch (error) {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound)
        return undefined;
      throw error;
    }
  }

  private async run(consumer: string, member: Member, handler: EventHandler): Promise<void> {
    try {
      for await (const msg of member.messages) {
        if (member.stopped) {
          // Pulled but not started: hand it back. Not at once: the server still holds this
          // member's open pull request until it expires and would redeliver into it (seen on
          // 2.9), stranding the message until ack wait. So wait out the pull request first.
          msg.nak(this.pullExpiresMs() + 1_000);
          continue;
        }
        await this.handle(consumer, msg, handler);
      }
    } catch (error) {
      report(this.options.onError, error, consumer);
    }
  }

  private async handle(consumer: string, msg: JsMsg, handler: EventHandler): Promise<void> {
    let data: unknown;
    try {
      data = msg.json();
    } catch {
      data = undefined;
    }
    const event = parseEvent(data);
    if (!event) {
      msg.term('not a stream event'); // redelivering garbage would never succeed
      report(this.options.onError, new Error(`unparseable message on ${msg.subject}`), consumer);
      return;
    }
    // Tell JetStream we are still working so a slow handler is not redelivered to another member.
    const keepAlive = setInterval(() => msg.working(), Math.max(1000, this.ackWaitMs() / 2));
    try {
      await handler(event);
      msg.ack();
    } catch (error) {
      report(this.options.onError, error, consumer, event);
      msg.nak((this.options.retryDelayMs ?? defaultRetryDelayMs)(msg.info.deliveryCount));
    } finally {
      clearInterval(keepAlive);
    }
  }

  private async stopMember(member: Member): Promise<void> {
    if (!this.members.delete(member)) return;
    member.stopped = true;
    await member.messages.close();
    await member.loop;
  }

  private subject(topic: string): string {
    return `${this.subjectPrefix}.${topic}`;
  }

  private pullExpiresMs(): number {
    return Math.max(1_000, this.options.pullExpiresMs ?? 5_000);
  }

  private ackWaitMs(): number {
    return this.options.ackWaitMs ?? 30_000;
  }
}
