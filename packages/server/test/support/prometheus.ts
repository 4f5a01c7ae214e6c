/**
 * Reading `/metrics` in tests: a strict check of the Prometheus text format 0.0.4 (line grammar,
 * one HELP and one TYPE per family before its samples, families not interleaved, no duplicate
 * series, histograms cumulative and ending in `le="+Inf"` equal to `_count`), cross-checked with
 * the `parse-prometheus-text-format` package, and lookups of single samples.
 */
import assert from "node:assert/strict";
import parsePrometheusTextFormat from "parse-prometheus-text-format";

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  /** Family name → type. */
  types: Map<string, string>;
  help: Map<string, string>;
  samples: Sample[];
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const SAMPLE_LINE = new RegExp(`^(${NAME})(\\{(?:${LABEL})(?:,${LABEL})*\\})? (\\S+)$`);
const HELP_LINE = new RegExp(`^# HELP (${NAME}) (.*)$`);
const TYPE_LINE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const FLOAT = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]Inf|NaN)$/;
const ONE_LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"/g;

function unescapeLabel(v: string): string {
  return v.replace(/\\(["\\n])/g, (_m, c: string) => (c === "n" ? "\n" : c));
}

function parseValue(text: string): number {
  if (text === "+Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  return Number(text);
}

/** Parses and checks an exposition; fails the test with the offending line otherwise. */
export function parseExposition(text: string): Exposition {
  assert.ok(text.endsWith("\n"), "the exposition ends with a line feed");
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const samples: Sample[] = [];
  const finished = new Set<string>();
  const series = new Set<string>();
  let current: string | undefined;

  const familyOf = (sampleName: string): string | undefined => {
    if (types.has(sampleName)) return sampleName;
    const base = sampleName.replace(/_(bucket|sum|count)$/, "");
    return base !== sampleName && types.get(base) === "histogram" ? base : undefined;
  };
  const enter = (family: string, line: string): void => {
    if (family === current) return;
    assert.ok(!finished.has(family), `family ${family} is interleaved with another: ${line}`);
    if (current !== undefined) finished.add(current);
    current = family;
  };

  text
    .slice(0, -1)
    .split("\n")
    .forEach((line, i) => {
      const where = `line ${i + 1}: ${JSON.stringify(line)}`;
      const h = HELP_LINE.exec(line);
      if (h) {
        enter(h[1]!, where);
        assert.ok(!help.has(h[1]!), `second HELP for ${h[1]}: ${where}`);
        assert.ok(!/\\[^\\n]/.test(h[2]!.replace(/\\\\/g, "")), `bad escape in HELP: ${where}`);
        help.set(h[1]!, h[2]!);
        return;
      }
      const t = TYPE_LINE.exec(line);
      if (t) {
        enter(t[1]!, where);
        assert.ok(!types.has(t[1]!), `second TYPE for ${t[1]}: ${where}`);
        types.set(t[1]!, t[2]!);
        return;
      }
      const s = SAMPLE_LINE.exec(line);
      assert.ok(s, `not a HELP, TYPE or sample line: ${where}`);
      const [, name, labelText, valueText] = s;
      const family = familyOf(name!);
      assert.ok(family, `sample before (or without) its TYPE: ${where}`);
      enter(family, where);
      assert.ok(FLOAT.test(valueText!), `value is not a float: ${where}`);
      const labels: Record<string, string> = {};
      for (const m of (labelText ?? "").matchAll(ONE_LABEL)) {
        assert.ok(!(m[1]! in labels), `label ${m[1]} twice: ${where}`);
        labels[m[1]!] = unescapeLabel(m[2]!);
      }
      const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
      assert.ok(!series.has(key), `duplicate series: ${where}`);
      series.add(key);
      samples.push({ name: name!, labels, value: parseValue(valueText!) });
    });

  for (const family of types.keys()) assert.ok(help.has(family), `${family} has no HELP`);
  for (const [family, type] of types) if (type === "histogram") checkHistogram(family, samples);

  // The package parser must read the same families with the same types.
  const parsed = parsePrometheusTextFormat(text);
  assert.deepEqual(
    parsed.map((f) => `${f.name} ${f.type.toLowerCase()}`),
    [...types].map(([name, type]) => `${name} ${type}`),
    "parse-prometheus-text-format reads the same families",
  );
  return { types, help, samples };
}

function checkHistogram(family: string, samples: Sample[]): void {
  const groups = new Map<string, { buckets: [number, number][]; sum?: number; count?: number }>();
  const groupOf = (labels: Record<string, string>) => {
    const rest = Object.entries(labels)
      .filter(([k]) => k !== "le")
      .sort();
    const key = JSON.stringify(rest);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { buckets: [] }));
    return g;
  };
  for (const s of samples) {
    if (s.name === `${family}_bucket`) {
      assert.ok(s.labels["le"] !== undefined, `${family}_bucket without le`);
      groupOf(s.labels).buckets.push([parseValue(s.labels["le"]!), s.value]);
    } else if (s.name === `${family}_sum`) groupOf(s.labels).sum = s.value;
    else if (s.name === `${family}_count`) groupOf(s.labels).count = s.value;
  }
  for (const [key, g] of groups) {
    const where = `${family}${key}`;
    assert.ok(g.buckets.length > 0 && g.sum !== undefined && g.count !== undefined, `${where}: buckets, _sum and _count`);
    for (let i = 1; i < g.buckets.length; i++) {
      assert.ok(g.buckets[i]![0] > g.buckets[i - 1]![0], `${where}: le ascending`);
      assert.ok(g.buckets[i]![1] >= g.buckets[i - 1]![1], `${where}: buckets cumulative`);
    }
    const last = g.buckets.at(-1)!;
    assert.equal(last[0], Infinity, `${where}: last bucket is +Inf`);
    assert.equal(last[1], g.count, `${where}: +Inf bucket equals _count`);
  }
}

/** The value of the one sample with exactly these labels; undefined if there is none. */
export function sampleValue(exposition: Exposition, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = JSON.stringify(Object.entries(labels).sort());
  return exposition.samples.find((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === want)?.value;
}

/** Every sample of `name` whose labels include `labels`. */
export function samplesOf(exposition: Exposition, name: string, labels: Record<string, string> = {}): Sample[] {
  return exposition.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}
