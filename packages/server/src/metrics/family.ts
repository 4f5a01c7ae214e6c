/**
 * What counters, gauges and histograms share: a name, a help text, declared label names, and one
 * child per combination of label values, created on first use and kept (so a series never
 * disappears between scrapes). Callers bind children once on hot paths and update them directly.
 */
import { checkLabelName, checkMetricName, escapeHelp, MetricDeclarationError } from "./exposition.js";

export type MetricType = "counter" | "gauge" | "histogram";

/** One value per declared label name. */
export type Labels<L extends string> = Readonly<Record<L, string>>;

export interface MetricOptions<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
}

export abstract class MetricFamily<L extends string, C> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  private readonly children = new Map<string, { values: string[]; child: C }>();
  /** Sets values read at scrape time (memory, CPU, the bus state); called before each render. */
  protected collect: (() => void) | undefined;

  protected constructor(
    readonly type: MetricType,
    options: MetricOptions<L>,
    reserved: readonly string[] = [],
  ) {
    checkMetricName(options.name);
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames ?? [];
    for (const label of this.labelNames) {
      checkLabelName(this.name, label);
      if (reserved.includes(label)) throw new MetricDeclarationError(`${this.name}: label name ${label} is reserved`);
    }
    if (new Set(this.labelNames).size !== this.labelNames.length) throw new MetricDeclarationError(`${this.name}: duplicate label names`);
  }

  /** The child for these label values, created on first use. Bind it once where it is used often. */
  child(labels: Labels<L>): C {
    const values = this.labelNames.map((name) => {
      const value = labels[name];
      if (typeof value !== "string") throw new MetricDeclarationError(`${this.name}: label ${name} needs a string value`);
      return value;
    });
    const key = values.join("\u0000");
    let entry = this.children.get(key);
    if (!entry) {
      entry = { values, child: this.create() };
      this.children.set(key, entry);
    }
    return entry.child;
  }

  /** `# HELP`, `# TYPE` and every sample line, each ending in a line feed. */
  render(): string {
    this.collect?.();
    let out = `# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} ${this.type}\n`;
    for (const { values, child } of this.children.values()) out += this.samples(values, child);
    return out;
  }

  protected abstract create(): C;
  protected abstract samples(values: readonly string[], child: C): string;
}
