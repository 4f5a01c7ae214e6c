/**
 * A gauge: a value that goes up and down (open sockets). A gauge may also be read at scrape time
 * from a callback (`collect`), for values the process already knows (memory, the bus state).
 */
import { formatNumber, labelSet } from "./exposition.js";
import { MetricFamily, type Labels, type MetricOptions } from "./family.js";

export class GaugeChild {
  value = 0;

  set(value: number): void {
    this.value = value;
  }

  inc(n = 1): void {
    this.value += n;
  }

  dec(n = 1): void {
    this.value -= n;
  }
}

export interface GaugeOptions<L extends string> extends MetricOptions<L> {
  /** Called before each scrape to set the children's values. */
  collect?: (gauge: Gauge<L>) => void;
}

export class Gauge<L extends string = never> extends MetricFamily<L, GaugeChild> {
  constructor(options: GaugeOptions<L>) {
    super("gauge", options);
    const collect = options.collect;
    if (collect) this.collect = () => collect(this);
  }

  set(labels: Labels<L>, value: number): void {
    this.child(labels).set(value);
  }

  protected create(): GaugeChild {
    return new GaugeChild();
  }

  protected samples(values: readonly string[], child: GaugeChild): string {
    return `${this.name}${labelSet(this.labelNames, values)} ${formatNumber(child.value)}\n`;
  }
}
