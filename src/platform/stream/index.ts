import type { Clock } from '../../core/clock.js';
import { MemoryStream } from './memory.js';
import type { Stream } from './stream.js';
import type { StreamErrorReporter } from './topics.js';

export type { EventHandler, Stream, StreamEvent, Subscription } from './stream.js';
export { MemoryStream, type MemoryStreamOptions } from './memory.js';
export type { NatsStream, NatsStreamOptions } from './nats.js';
export { topicMatches, type StreamErrorReporter } from './topics.js';

export interface StreamOptions {
  /** nats://… ; unset means the in-process stream (embedded mode). */
  natsUrl?: string | undefined;
  /**
   * NATS_STREAM_PREFIX: names the JetStream stream (`<prefix>`), its subjects (`<prefix in lower
   * case>.<topic>`) and every durable consumer (`<prefix>_<consumer>`), so installations can share
   * a NATS cluster. Unset: stream JUHEPAY, subjects juhepay.*, consumers by their own names.
   */
  prefix?: string | undefined;
  /** JetStream stream name (default JUHEPAY). */
  streamName?: string | undefined;
  /** Subject prefix (default `juhepay`): topics travel as `<prefix>.<topic>`. */
  subjectPrefix?: string | undefined;
  /** Clock of the in-process stream's dedupe window. */
  clock?: Clock | undefined;
  onError?: StreamErrorReporter | undefined;
}

export async function createStream(options: StreamOptions = {}): Promise<Stream> {
  const { natsUrl, prefix, clock, onError } = options;
  const streamName = options.streamName ?? prefix;
  const subjectPrefix = options.subjectPrefix ?? prefix?.toLowerCase();
  if (natsUrl) {
    // the NATS client loads only in production mode
    const { NatsStream } = await import('./nats.js');
    return NatsStream.connect({
      url: natsUrl,
      ...(streamName ? { streamName } : {}),
      ...(subjectPrefix ? { subjectPrefix } : {}),
      ...(prefix ? { consumerPrefix: prefix } : {}),
      ...(onError ? { onError } : {}),
    });
  }
  return new MemoryStream({ clock, onError });
}
