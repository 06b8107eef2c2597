import type { Clock } from '../../core/clock.js';
import { MemoryStream } from './memory.js';
import { NatsStream } from './nats.js';
import type { Stream } from './stream.js';
import type { StreamErrorReporter } from './topics.js';

export type { EventHandler, Stream, StreamEvent, Subscription } from './stream.js';
export { MemoryStream, type MemoryStreamOptions } from './memory.js';
export { NatsStream, type NatsStreamOptions } from './nats.js';
export { topicMatches, type StreamErrorReporter } from './topics.js';

export interface StreamOptions {
  /** nats://… ; unset means the in-process stream (embedded mode). */
  natsUrl?: string | undefined;
  /** JetStream stream name (default JUHEPAY). */
  streamName?: string | undefined;
  /** Subject prefix (default `juhepay`): topics travel as `<prefix>.<topic>`. */
  subjectPrefix?: string | undefined;
  /** Clock of the in-process stream's dedupe window. */
  clock?: Clock | undefined;
  onError?: StreamErrorReporter | undefined;
}

export async function createStream(options: StreamOptions = {}): Promise<Stream> {
  const { natsUrl, streamName, subjectPrefix, clock, onError } = options;
  if (natsUrl) return NatsStream.connect({ url: natsUrl, streamName, subjectPrefix, onError });
  return new MemoryStream({ clock, onError });
}
