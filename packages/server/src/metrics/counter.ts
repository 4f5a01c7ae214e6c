/**
 * A counter: a value that only goes up (requests, sign-ins), from 0 at process start. A counter
 * the process keeps itself (CPU time) is read at scrape time by `collect`.
 */
import { formatNumber, labelSet } from "./exposition.js";
import { MetricFamily, type Labels, type MetricOptions } from "./family.js";

export class CounterChild {
  value = 0;

  inc(n = 1): void {
    if (!(n >= 0)) throw new RangeError(`a counter can only go up, got ${n}`);
    this.value += n;
  }
}

export interface CounterOptions<L extends string> extends MetricOptions<L> {
  /** Called before each scrape; it may set `child(...).value` from a total the process keeps. */
  collect?: (counter: Counter<L>) => void;
}

export class Counter<L extends string = never> extends MetricFamily<L, CounterChild> {
  constructor(options: CounterOptions<L>) {
    super("counter", options);
    const collect = options.collect;
    if (collect) this.collect = () => collect(this);
  }

  inc(labels: Labels<L>, n = 1): void {
    this.child(labels).inc(n);
  }

  protected create(): CounterChild {
    return new CounterChild();
  }

  protected samples(values: readonly string[], child: CounterChild): string {
    return `${this.name}${labelSet(this.labelNames, values)} ${formatNumber(child.value)}\n`;
  }
}
