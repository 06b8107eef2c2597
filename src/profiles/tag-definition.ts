/**
 * A tag is declared, not coded: which events feed it (and with what sign), which field, how a raw
 * field becomes a value, the window it is read over, and the Dirichlet prior that turns counts
 * into confidences. Built-ins and operator-defined tags are the same data.
 */

/** How a raw field becomes a tag value. */
export type ValueRule =
  /** the field as it is (open domain: device ids) */
  | { readonly kind: 'identity' }
  /** a fixed table; `otherwise` names unmapped raw values, or null drops them (closed domain) */
  | {
      readonly kind: 'map';
      readonly map: Readonly<Record<string, string>>;
      readonly otherwise: string | null;
    }
  /** numeric bands: `labels[i]` for `cuts[i-1] <= x < cuts[i]`; one more label than cuts */
  | { readonly kind: 'bins'; readonly cuts: readonly number[]; readonly labels: readonly string[] }
  /** the part of the day the event happened in, local time at `utc_offset_minutes` */
  | {
      readonly kind: 'day_part';
      readonly utc_offset_minutes: number;
      /** ascending `from_hour`, the first at 0; each part runs to the next one's start */
      readonly parts: readonly { readonly from_hour: number; readonly label: string }[];
    };

export interface TagSource {
  /** an event type, or a prefix ending in `.*` (`risk.*`) */
  readonly type: string;
  /** +1 evidence for, -1 evidence against (a refund undoes its payment) */
  readonly weight: 1 | -1;
  /** the field read (absent only for `day_part`, which reads the event time) */
  readonly field?: string;
  /** only events whose field equals this value count (`full_refund: true`) */
  readonly when?: { readonly field: string; readonly equals: string | number | boolean };
  /** a field holding the time the evidence belongs to (a refund's `paid_at`), else the event's `at` */
  readonly time_field?: string;
}

export type TagWindow = { readonly kind: 'all_time' } | { readonly kind: 'rolling'; readonly days: number };

export interface TagPrior {
  /** total pseudo-count (Dirichlet concentration): how much evidence it takes to move off the prior */
  readonly strength: number;
  /** base distribution over values (weights, normalised); absent means uniform over the domain */
  readonly distribution?: Readonly<Record<string, number>>;
}

export interface TagDefinition {
  readonly name: string;
  /** bumped whenever anything that changes the state changes; state is kept per (subject, tag, version) */
  readonly version: number;
  readonly description?: string;
  readonly sources: readonly TagSource[];
  readonly value: ValueRule;
  readonly window: TagWindow;
  readonly prior: TagPrior;
}

/** `name@version`, the key of a tag's state. */
export function tagKey(def: Pick<TagDefinition, 'name' | 'version'>): string {
  return `${def.name}@${def.version}`;
}

/** The values a closed-domain rule can produce, in declaration order; null for an open domain. */
export function closedDomain(rule: ValueRule): string[] | null {
  switch (rule.kind) {
    case 'identity':
      return null;
    case 'map': {
      const values = new Set(Object.values(rule.map));
      if (rule.otherwise !== null) values.add(rule.otherwise);
      return [...values];
    }
    case 'bins':
      return [...rule.labels];
    case 'day_part':
      return [...new Set(rule.parts.map((p) => p.label))];
  }
}
