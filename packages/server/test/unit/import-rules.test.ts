/**
 * The import structure of packages/server/src, read with TypeScript's own parser: every import is
 * allowed by src/import-rules.json, no file reaches itself through its imports (type-only imports
 * included), domain folders never import http/ or hooks/, and docs/architecture.md's "May import"
 * column says what the rules say. So the picture of the layers cannot drift from the code.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));
const ARCHITECTURE = fileURLToPath(new URL("../../../../docs/architecture.md", import.meta.url));

interface Rule {
  mayImport: string[];
  mayImportTypes?: string[];
  why?: string;
}

interface ImportRules {
  domain: string[];
  rules: Record<string, Rule>;
}

interface Import {
  /** The importing file, relative to src/. */
  from: string;
  /** The imported file, relative to src/. */
  to: string;
  /** As written in the source. */
  specifier: string;
  /** `import type`, `export type`, or every named binding marked `type`. */
  typeOnly: boolean;
  line: number;
}

const RULES = JSON.parse(readFileSync(join(SRC, "import-rules.json"), "utf8")) as ImportRules;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [relative(SRC, path)] : [];
  });
}

function isTypeOnly(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node)) return node.isTypeOnly;
  const clause = node.importClause;
  if (!clause) return false; // `import "./x.js"` runs the module
  if (clause.isTypeOnly) return true;
  const bindings = clause.namedBindings;
  return (
    clause.name === undefined &&
    bindings !== undefined &&
    ts.isNamedImports(bindings) &&
    bindings.elements.length > 0 &&
    bindings.elements.every((e) => e.isTypeOnly)
  );
}

/** Every relative import of one file: static imports, re-exports, `import("…")` calls and `import("…")` types. */
function importsOf(file: string): Import[] {
  const text = readFileSync(join(SRC, file), "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Import[] = [];
  const add = (literal: ts.StringLiteral, typeOnly: boolean) => {
    const specifier = literal.text;
    if (!specifier.startsWith(".")) return;
    const target = resolve(dirname(join(SRC, file)), specifier.replace(/\.js$/, ".ts"));
    const to = relative(SRC, target);
    assert.ok(existsSync(target), `${file}: import "${specifier}" names no file in src/`);
    found.push({ from: file, to, specifier, typeOnly, line: source.getLineAndCharacterOfPosition(literal.getStart()).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier, isTypeOnly(node));
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteral(arg)) add(arg, false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The rule key a file belongs to: the longest key naming it or a folder holding it. */
function partOf(file: string): string | undefined {
  let best: string | undefined;
  for (const key of Object.keys(RULES.rules)) {
    const holds = key.endsWith("/") ? file.startsWith(key) : file === key;
    if (holds && (best === undefined || key.length > best.length)) best = key;
  }
  return best;
}

/** True when `entry` (a key or a file) covers the imported file. */
function covers(entry: string, to: string): boolean {
  return entry === to || (entry.endsWith("/") && partOf(to) === entry);
}

function allowed(imp: Import): boolean {
  const from = partOf(imp.from)!;
  if (partOf(imp.to) === from) return true;
  const rule = RULES.rules[from]!;
  if (rule.mayImport.some((entry) => covers(entry, imp.to))) return true;
  return imp.typeOnly && (rule.mayImportTypes ?? []).some((entry) => covers(entry, imp.to));
}

/** Strongly connected components of more than one file (Tarjan), each as a path through its files. */
function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      const selfImport = component.length === 1 && (graph.get(v) ?? []).includes(v);
      if (component.length > 1 || selfImport) found.push(component.reverse());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) connect(v);
  return found;
}

/** One actual cycle through a component's first file (the shortest, found breadth-first), ending where it starts. */
function cyclePath(component: string[], graph: Map<string, string[]>): string[] {
  const inside = new Set(component);
  const start = component[0]!;
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!inside.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let at = v; at !== start; at = previous.get(at)!) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!previous.has(w) && w !== start) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [...component, start];
}

/** The "May import" cell for a rule, as docs/architecture.md writes it. */
function mayImportCell(rule: Rule): string {
  const list = (entries: string[]) => entries.map((e) => `\`${e}\``).join(", ");
  const parts: string[] = [];
  if (rule.mayImport.length > 0) parts.push(list(rule.mayImport));
  if (rule.mayImportTypes && rule.mayImportTypes.length > 0) parts.push(`types: ${list(rule.mayImportTypes)}`);
  const cell = parts.length > 0 ? parts.join("; ") : "—";
  return rule.why ? `${cell} (${rule.why})` : cell;
}

/** The rows of the server's "Folder / file | Holds | May import" table: first cell → last cell. */
function documentedTable(): Map<string, string> {
  const lines = readFileSync(ARCHITECTURE, "utf8").split("\n");
  const header = lines.findIndex((l) => l.startsWith("| Folder / file | Holds | May import |"));
  assert.ok(header !== -1, "docs/architecture.md has no '| Folder / file | Holds | May import |' table");
  const rows = new Map<string, string>();
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith("|")) break;
    const cells = line.split(" | ");
    const key = /^\| `([^`]+)`$/.exec(cells[0]!)?.[1];
    assert.ok(key !== undefined, `architecture.md: a row's first cell must be one \`key\` of import-rules.json: ${line.slice(0, 80)}`);
    rows.set(key, cells.at(-1)!.replace(/ \|$/, ""));
  }
  return rows;
}

const FILES = sourceFiles(SRC).sort();
const IMPORTS = FILES.flatMap(importsOf);

describe("import rules (src/import-rules.json)", () => {
  it("give every source file a part", () => {
    const homeless = FILES.filter((f) => partOf(f) === undefined);
    assert.deepEqual(homeless, [], `files no key of import-rules.json holds: ${homeless.join(", ")}`);
  });

  it("name only keys or files that exist", () => {
    for (const [key, rule] of Object.entries(RULES.rules)) {
      for (const entry of [...rule.mayImport, ...(rule.mayImportTypes ?? [])]) {
        const known = entry in RULES.rules || FILES.includes(entry);
        assert.ok(known, `import-rules.json: "${key}" names "${entry}", which is neither a key nor a file`);
      }
    }
  });

  it("allow every import in src/", () => {
    const refused = IMPORTS.filter((imp) => !allowed(imp)).map(
      (imp) =>
        `${imp.from}:${imp.line} imports "${imp.specifier}" (${imp.to}${imp.typeOnly ? ", types only" : ""}): ${partOf(imp.from)} may not import ${partOf(imp.to)}`,
    );
    assert.deepEqual(refused, [], `imports the rules refuse:\n  ${refused.join("\n  ")}`);
  });

  it("keep domain folders off http/ and hooks/ (hooks/runtime-types.ts types aside)", () => {
    for (const folder of RULES.domain) {
      const rule = RULES.rules[folder];
      assert.ok(rule, `import-rules.json: domain folder ${folder} has no rule`);
      const reaches = (entry: string, typeOnly: boolean) =>
        (entry.startsWith("http/") || entry.startsWith("hooks/")) && !(typeOnly && entry === "hooks/runtime-types.ts");
      const bad = [...rule.mayImport.filter((e) => reaches(e, false)), ...(rule.mayImportTypes ?? []).filter((e) => reaches(e, true))];
      assert.deepEqual(bad, [], `${folder} is a domain folder and may not import ${bad.join(", ")}`);
    }
  });

  it("let only store/open-store.ts (and the public index.ts) name a store backend", () => {
    for (const [key, rule] of Object.entries(RULES.rules)) {
      if (key === "store/open-store.ts" || key.startsWith("store/sqlite/") || key.startsWith("store/postgres/")) continue;
      const backends = [...rule.mayImport, ...(rule.mayImportTypes ?? [])].filter((e) => e.startsWith("store/sqlite/") || e.startsWith("store/postgres/"));
      const expected = key === "index.ts" ? ["store/sqlite/sqlite-store.ts"] : [];
      assert.deepEqual(backends, expected, `${key} may not name a store backend`);
    }
  });

  it("leave no import cycle between files, type-only imports included", () => {
    const graph = new Map<string, string[]>(FILES.map((f) => [f, []]));
    for (const imp of IMPORTS) graph.get(imp.from)!.push(imp.to);
    const found = cycles(graph).map((component) => cyclePath(component, graph).join(" → "));
    assert.deepEqual(found, [], `import cycles:\n  ${found.join("\n  ")}`);
  });

  it("are what docs/architecture.md's 'May import' column says", () => {
    const documented = documentedTable();
    assert.deepEqual([...documented.keys()].sort(), Object.keys(RULES.rules).sort(), "architecture.md's table rows and import-rules.json's keys differ");
    for (const [key, rule] of Object.entries(RULES.rules)) {
      assert.equal(documented.get(key), mayImportCell(rule), `architecture.md, row \`${key}\`: the "May import" cell must read as import-rules.json says`);
    }
  });
});
