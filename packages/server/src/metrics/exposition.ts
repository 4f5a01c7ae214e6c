/**
 * The Prometheus text exposition format, version 0.0.4: how names, label values, help texts and
 * numbers are written. https://prometheus.io/docs/instrumenting/exposition_formats/
 */

/** What `GET /metrics` answers with. */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Thrown when a metric is declared with a name the format cannot carry (a programming error). */
export class MetricDeclarationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MetricDeclarationError";
  }
}

export function checkMetricName(name: string): void {
  if (!METRIC_NAME.test(name)) throw new MetricDeclarationError(`invalid metric name ${JSON.stringify(name)}`);
}

export function checkLabelName(metric: string, label: string): void {
  // `__` names are reserved for Prometheus itself.
  if (!LABEL_NAME.test(label) || label.startsWith("__")) throw new MetricDeclarationError(`${metric}: invalid label name ${JSON.stringify(label)}`);
}

/** `# HELP` text: backslash and line feed escaped. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** A label value inside double quotes: backslash, double quote and line feed escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** A sample value (or an `le` bound): Go's float syntax, with `+Inf`, `-Inf` and `NaN` spelled out. */
export function formatNumber(n: number): string {
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  if (Number.isNaN(n)) return "NaN";
  return String(n);
}

/** `{a="x",b="y"}` for the given names and values; "" when there are none. */
export function labelSet(names: readonly string[], values: readonly string[]): string {
  if (names.length === 0) return "";
  let out = "{";
  for (let i = 0; i < names.length; i++) {
    if (i > 0) out += ",";
    out += `${names[i]}="${escapeLabelValue(values[i]!)}"`;
  }
  return out + "}";
}
