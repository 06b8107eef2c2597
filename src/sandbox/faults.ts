import type { FaultMode, FaultSpec, Faults, SandboxChannel } from './context.js';

/** Fault injection state: each fault fires `count` times for its channel/operation, then is gone. */
export class FaultTable implements Faults {
  private specs: FaultSpec[] = [];

  set(spec: FaultSpec): void {
    this.specs = this.specs.filter(
      (s) => !(s.channel === spec.channel && s.operation === spec.operation && s.mode === spec.mode),
    );
    if (spec.count > 0) this.specs.push({ ...spec });
  }

  take(channel: SandboxChannel, operation: string, modes?: readonly FaultMode[]): FaultMode | undefined {
    const spec = this.specs.find(
      (s) =>
        s.channel === channel &&
        (s.operation === operation || s.operation === '*') &&
        (modes === undefined || modes.includes(s.mode)),
    );
    if (!spec) return undefined;
    spec.count -= 1;
    if (spec.count <= 0) this.specs = this.specs.filter((s) => s !== spec);
    return spec.mode;
  }

  list(): FaultSpec[] {
    return this.specs.map((s) => ({ ...s }));
  }

  clear(): void {
    this.specs = [];
  }
}

export const NOTIFY_FAULTS: readonly FaultMode[] = [
  'duplicate_notify',
  'delay_notify',
  'drop_notify',
  'reorder_notify',
];
export const API_FAULTS: readonly FaultMode[] = ['timeout', 'error_5xx', 'system_error'];
/** the operation runs, then the connection is dropped: the caller cannot know what happened */
export const LOST_ANSWER_FAULTS: readonly FaultMode[] = ['lost_answer'];
