/**
 * A histogram: observations (durations in seconds) counted into cumulative buckets, exposed as
 * `<name>_bucket{le="..."}` (ending with `le="+Inf"`), `<name>_sum` and `<name>_count`.
 */
import { formatNumber, labelSet, MetricDeclarationError } from "./exposition.js";
import { MetricFamily, type Labels, type MetricOptions } from "./family.js";

export class HistogramChild {
  /** Per-bucket (not cumulative) counts; the last one is the +Inf bucket. */
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    if (Number.isNaN(value)) throw new RangeError("a histogram cannot observe NaN");
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

export interface HistogramOptions<L extends string> extends MetricOptions<L> {
  /** Upper bounds, ascending and finite; `+Inf` is always added. */
  buckets: readonly number[];
}

export class Histogram<L extends string = never> extends MetricFamily<L, HistogramChild> {
  readonly buckets: readonly number[];
  private readonly bucketLabels: readonly string[];

  constructor(options: HistogramOptions<L>) {
    super("histogram", options, ["le"]);
    const b = options.buckets;
    if (b.length === 0 || b.some((x, i) => !Number.isFinite(x) || (i > 0 && x <= b[i - 1]!))) {
      throw new MetricDeclarationError(`${options.name}: buckets must be finite and strictly ascending`);
    }
    this.buckets = [...b];
    this.bucketLabels = [...b.map(formatNumber), "+Inf"];
  }

  observe(labels: Labels<L>, value: number): void {
    this.child(labels).observe(value);
  }

  protected create(): HistogramChild {
    return new HistogramChild(this.buckets);
  }

  protected samples(values: readonly string[], child: HistogramChild): string {
    const names = [...this.labelNames, "le"];
    let out = "";
    let cumulative = 0;
    for (let i = 0; i < this.bucketLabels.length; i++) {
      cumulative += child.counts[i]!;
      out += `${this.name}_bucket${labelSet(names, [...values, this.bucketLabels[i]!])} ${cumulative}\n`;
    }
    const labels = labelSet(this.labelNames, values);
    return out + `${this.name}_sum${labels} ${formatNumber(child.sum)}\n${this.name}_count${labels} ${child.count}\n`;
  }
}
