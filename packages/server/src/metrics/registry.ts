/**
 * A metrics registry without dependencies: counters, gauges and histograms with labels, rendered
 * in the Prometheus text format 0.0.4. One registry per server (tests run several in a process).
 */
import { Counter, type CounterOptions } from "./counter.js";
import { MetricDeclarationError } from "./exposition.js";
import type { MetricType } from "./family.js";
import { Gauge, type GaugeOptions } from "./gauge.js";
import { Histogram, type HistogramOptions } from "./histogram.js";

/** What the registry needs of a family. */
interface Family {
  readonly name: string;
  readonly type: MetricType;
  render(): string;
}

export class MetricsRegistry {
  private readonly families: Family[] = [];
  /** Every sample name taken, so that no two families write the same one. */
  private readonly names = new Set<string>();

  counter<L extends string = never>(options: CounterOptions<L>): Counter<L> {
    return this.add(new Counter<L>(options));
  }

  gauge<L extends string = never>(options: GaugeOptions<L>): Gauge<L> {
    return this.add(new Gauge<L>(options));
  }

  histogram<L extends string = never>(options: HistogramOptions<L>): Histogram<L> {
    return this.add(new Histogram<L>(options));
  }

  /** Every family in the text format, in the order they were declared. */
  render(): string {
    let out = "";
    for (const family of this.families) out += family.render();
    return out;
  }

  private add<F extends Family>(family: F): F {
    // A histogram `x` also writes `x_bucket`, `x_sum` and `x_count`: none may collide.
    const names = family.type === "histogram" ? [family.name, `${family.name}_bucket`, `${family.name}_sum`, `${family.name}_count`] : [family.name];
    for (const name of names) {
      if (this.names.has(name)) throw new MetricDeclarationError(`metric ${name} is declared twice`);
    }
    for (const name of names) this.names.add(name);
    this.families.push(family);
    return family;
  }
}
