import type { Clock } from '../core/clock.js';
import type { Logger } from '../platform/logger.js';
import type { Faults, NotificationAttempt, NotificationSpec, Notifier, SandboxChannel } from './context.js';
import { NOTIFY_FAULTS } from './faults.js';
import type { SandboxScheduler } from './scheduler.js';

/**
 * Sends channel notifications the way the channels do: POST to notify_url, judge the answer by the
 * channel's own ack rule, retry on its schedule (on the scheduler's clock), give up at the end.
 * Notification faults (duplicate, delay, drop, reorder) are applied to the first delivery.
 */

const DELIVERY_TIMEOUT_MS = 5_000; // WeChat expects an answer within 5 s
const DELAY_FAULT_MS = 60_000; // how late a delay_notify fault makes the first delivery

interface Delivery {
  spec: NotificationSpec;
  attempts: NotificationAttempt[];
  done: boolean;
}

export class HttpNotifier implements Notifier {
  private readonly deliveries: Delivery[] = [];
  private readonly heldBack = new Map<SandboxChannel, Delivery>();
  private closed = false;

  constructor(
    private readonly faults: Faults,
    private readonly clock: Clock,
    private readonly scheduler: SandboxScheduler,
    private readonly logger: Logger,
  ) {}

  send(spec: NotificationSpec): void {
    const delivery: Delivery = { spec, attempts: [], done: false };
    this.deliveries.push(delivery);
    const fault = this.faults.take(spec.channel, 'notify', NOTIFY_FAULTS);
    const held = this.heldBack.get(spec.channel);
    if (held) this.heldBack.delete(spec.channel);
    let sent: Promise<void> = Promise.resolve();
    switch (fault) {
      case 'reorder_notify':
        this.heldBack.set(spec.channel, delivery); // goes out right after the channel's next notification
        break;
      case 'delay_notify':
        this.scheduler.after(DELAY_FAULT_MS, () => this.attempt(delivery, 0));
        break;
      case 'drop_notify':
        delivery.attempts.push({
          at: this.clock.now().toISOString(),
          status: null,
          acked: false,
          error: 'dropped (fault)',
        });
        this.scheduleRetry(delivery, 0);
        break;
      case 'duplicate_notify':
        this.scheduler.track(this.attempt(delivery, 0, true));
        sent = this.attempt(delivery, 0);
        break;
      default:
        sent = this.attempt(delivery, 0);
    }
    // the held one goes out once this one has been answered, so it really arrives second
    this.scheduler.track(held ? sent.then(() => this.attempt(held, 0)) : sent);
  }

  pending(): number {
    return this.deliveries.filter((d) => !d.done).length;
  }

  history() {
    return this.deliveries.map((d) => ({
      channel: d.spec.channel,
      label: d.spec.label,
      url: d.spec.url,
      attempts: d.attempts.map((a) => ({ ...a })),
      done: d.done,
    }));
  }

  async close(): Promise<void> {
    this.closed = true; // what is still scheduled goes when the scheduler closes
  }

  /** `retryIndex` is how many retries have been used before this attempt. */
  private attempt(delivery: Delivery, retryIndex: number, duplicate = false): Promise<void> {
    if (this.closed || (delivery.done && !duplicate)) return Promise.resolve();
    const { headers, body } = delivery.spec.build();
    const record: NotificationAttempt = { at: this.clock.now().toISOString(), status: null, acked: false };
    delivery.attempts.push(record);
    return fetch(delivery.spec.url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    })
      .then(async (res) => {
        record.status = res.status;
        record.acked = delivery.spec.isAck(res.status, await res.text());
      })
      .catch((error: unknown) => {
        record.error = error instanceof Error ? error.message : String(error);
      })
      .finally(() => {
        if (duplicate) return; // the twin delivery drives the schedule
        if (record.acked) {
          delivery.done = true;
          return;
        }
        this.logger.debug(
          { label: delivery.spec.label, status: record.status, error: record.error },
          'notification not acknowledged',
        );
        this.scheduleRetry(delivery, retryIndex);
      });
  }

  private scheduleRetry(delivery: Delivery, retryIndex: number): void {
    const delay = delivery.spec.retryDelaysMs[retryIndex];
    if (delay === undefined) {
      delivery.done = true; // schedule exhausted: the channel gives up
      return;
    }
    this.scheduler.after(delay, () => this.attempt(delivery, retryIndex + 1));
  }
}
