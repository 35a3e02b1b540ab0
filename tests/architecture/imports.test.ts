/**
 * The direction of imports, checked on the source tree: every .ts file outside node_modules/ and tests/
 * is parsed with TypeScript's parser (import, export-from, import(), require), its relative imports
 * resolved to files, and the graph must have
 *   (a) no import cycle, type imports included: an `import type` is erased when compiled, so a cycle
 *       through one loads nothing, but it still ties the files of the cycle together (neither can be
 *       read, moved or tested without the other); a type both sides need belongs in a module of its own;
 *   (b) no product file importing tests/ or scripts/, and no benchmark or script importing tests/ (a
 *       benchmark measures product code: the moto harness it shares with the tests lives in local/);
 *   (c) the layers pointing down: scaling/ imports nothing of ours but aws/; aws/ and input/ import
 *       nothing of ours; runtime/ imports no components/, config/ or cli/; components/ no config/ or cli/; the
 *       tool rooms (proof/, load/, emulator/) no cli/;
 *   (d) a command (cli/commands/<command>.ts) taking nothing of cli/ but cli/io.ts and cli/options.ts.
 * Each broken rule is reported with the offending path. The checks themselves are tested on small
 * graphs first, so a checker that finds nothing cannot pass unnoticed.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..", "..");
/** Folders that are not source of ours, or not product code to check (tests are checked by their own rules). */
const SKIPPED = new Set(["node_modules", "tests", "dist", "coverage", "reports"]);

/** Folders whose files ship (or are deployed): they may not import tests/ or scripts/. */
const PRODUCT = ["aws", "bundle", "components", "config", "runtime", "scaling", "cli", "proof", "load", "emulator", "input", "local", "diff", "policy", "program"];

/** Repo-relative path (forward slashes) -> repo-relative paths of the files of ours it imports. */
type ImportGraph = Map<string, string[]>;

/** Every .ts file under `root` (repo-relative), skipping node_modules/, tests/, build output and dot folders. */
function sourceFiles(root: string, dir = ""): string[] {
    const files: string[] = [];
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
        const rel = dir === "" ? entry.name : `${dir}/${entry.name}`;
        if (entry.isDirectory()) {
            if (!entry.name.startsWith(".") && !SKIPPED.has(entry.name)) files.push(...sourceFiles(root, rel));
        } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
            files.push(rel);
        }
    }
    return files.sort();
}

/** The file a relative specifier names (`./x` -> x.ts, x/index.ts, or x itself, e.g. package.json). */
function resolveRelative(root: string, from: string, specifier: string): string | undefined {
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
    for (const candidate of [`${base}.ts`, `${base}/index.ts`, base]) {
        const full = path.join(root, candidate);
        if (fs.existsSync(full) && fs.statSync(full).isFile()) return candidate;
    }
    return undefined;
}

/** A relative import of one file, and whether it is erased when compiled (`import type`, `export type ... from`). */
interface ScannedImport {
    readonly specifier: string;
    readonly typeOnly: boolean;
}

/** True when every name the clause brings in is marked `type` (TypeScript then emits no require). */
function allTypeOnly(elements: ts.NodeArray<ts.ImportSpecifier | ts.ExportSpecifier> | undefined): boolean {
    return elements !== undefined && elements.length > 0 && elements.every((e) => e.isTypeOnly);
}

/** The relative imports of one source text: import and export declarations, import(), require(), import = require(), `typeof import()` types. */
function scanImports(file: string, text: string): ScannedImport[] {
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    const found: ScannedImport[] = [];
    const add = (node: ts.Expression | undefined, typeOnly: boolean) => {
        if (node && ts.isStringLiteralLike(node) && node.text.startsWith(".")) found.push({ specifier: node.text, typeOnly });
    };
    const visit = (node: ts.Node): void => {
        if (ts.isImportDeclaration(node)) {
            const clause = node.importClause;
            const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
            add(node.moduleSpecifier, clause !== undefined && (clause.isTypeOnly || (clause.name === undefined && allTypeOnly(named))));
        } else if (ts.isExportDeclaration(node)) {
            const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
            add(node.moduleSpecifier, node.isTypeOnly || allTypeOnly(named));
        } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
            add(node.moduleReference.expression, node.isTypeOnly);
        } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
            add(node.argument.literal, true);
        } else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === "require"))) {
            add(node.arguments[0], false);
        }
        ts.forEachChild(node, visit);
    };
    visit(source);
    return found;
}

/**
 * The import graphs of `files`, relative imports only (packages are not ours): `all` with every import,
 * `values` without the type-only ones, which are erased when compiled and so load nothing.
 */
function importGraphs(root: string, files: readonly string[]): { all: ImportGraph; values: ImportGraph } {
    const all: ImportGraph = new Map();
    const values: ImportGraph = new Map();
    for (const file of files) {
        const every = new Set<string>();
        const loaded = new Set<string>();
        for (const ref of scanImports(file, fs.readFileSync(path.join(root, file), "utf8"))) {
            const target = resolveRelative(root, file, ref.specifier);
            if (target === undefined) throw new Error(`${file}: import "${ref.specifier}" names no file`);
            every.add(target);
            if (!ref.typeOnly) loaded.add(target);
        }
        all.set(file, [...every].sort());
        values.set(file, [...loaded].sort());
    }
    return { all, values };
}

/** Every import cycle, one per strongly connected component, as a path that returns to its start. */
function importCycles(graph: ImportGraph): string[][] {
    // Tarjan's strongly connected components; a component of two or more files (or a file importing itself) holds a cycle.
    let counter = 0;
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const components: string[][] = [];
    const visit = (v: string): void => {
        index.set(v, counter);
        low.set(v, counter);
        counter++;
        stack.push(v);
        onStack.add(v);
        for (const w of graph.get(v) ?? []) {
            if (!index.has(w)) {
                visit(w);
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
            if (component.length > 1 || (graph.get(v) ?? []).includes(v)) components.push(component.sort());
        }
    };
    for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
    return components.map((c) => cycleThrough(graph, new Set(c), c[0]));
}

/** A shortest cycle from `start` back to it inside `component` (breadth-first). */
function cycleThrough(graph: ImportGraph, component: ReadonlySet<string>, start: string): string[] {
    const previous = new Map<string, string>();
    const queue = [start];
    while (queue.length > 0) {
        const v = queue.shift()!;
        for (const w of graph.get(v) ?? []) {
            if (!component.has(w)) continue;
            if (w === start) {
                const cycle = [start];
                for (let u: string | undefined = v; u !== undefined && u !== start; u = previous.get(u)) cycle.splice(1, 0, u);
                return [...cycle, start];
            }
            if (!previous.has(w)) {
                previous.set(w, v);
                queue.push(w);
            }
        }
    }
    return [start, start];
}

/**
 * One line per import cycle of `all`, type imports included; a cycle with an edge that `values` lacks
 * (an `import type`) says so, since it is mended by moving the shared type, not the code.
 */
function cycleReport(all: ImportGraph, values: ImportGraph): string[] {
    return importCycles(all).map((cycle) => {
        const typeOnly = cycle.slice(1).some((to, i) => !(values.get(cycle[i]) ?? []).includes(to));
        return `import cycle: ${cycle.join(" -> ")}${typeOnly ? " (closed by a type import: move the type both sides need to a module of its own)" : ""}`;
    });
}

/** A rule on who may import what: files under `from` may not import files under any of `to`. */
interface LayerRule {
    readonly from: string;
    readonly to: readonly string[];
    readonly why: string;
}

const topFolder = (file: string) => (file.includes("/") ? file.slice(0, file.indexOf("/")) : "");

/** Everything of ours a file under `from` may not import, except the folders in `allowed`. */
function onlyImports(from: string, allowed: readonly string[], why: string, folders: readonly string[]): LayerRule {
    return { from, to: folders.filter((f) => f !== from && !allowed.includes(f)), why };
}

/** The rules of the tree, given the top-level folders that exist. */
function layerRules(folders: readonly string[]): LayerRule[] {
    const everyFolderAndRootFile = [...folders, ""];
    return [
        ...PRODUCT.map((from) => ({ from, to: ["tests", "scripts"], why: "product code may not import tests/ or scripts/" })),
        { from: "bench", to: ["tests"], why: "a benchmark measures product code: it shares product modules (local/ for moto), not the tests" },
        { from: "scripts", to: ["tests"], why: "a script builds or writes from product modules (proof/ for the recorded calls), not from the tests" },
        onlyImports("scaling", ["aws"], "scaling/ is the pure domain: it imports nothing of ours but aws/", everyFolderAndRootFile),
        onlyImports("aws", [], "aws/ is the bottom module: it imports nothing of ours", everyFolderAndRootFile),
        onlyImports("input", [], "input/ is the tools' bottom module: it imports nothing of ours", everyFolderAndRootFile),
        { from: "runtime", to: ["components", "config", "cli"], why: "runtime/ runs in AWS: it imports scaling/ and aws/, not deploy-time or command code" },
        { from: "components", to: ["cli", "config"], why: "components/ take args of their own: config is mapped to them by index.ts and program/, and the command sits on top" },
        ...["proof", "load", "emulator", "diff"].map((from) => ({ from, to: ["cli"], why: "a tool room is wired by cli/, never the other way" })),
        { from: "policy", to: ["cli", "components"], why: "the policy pack judges a graph: it imports the domain (scaling/, aws/), not the code that builds or wires it" },
    ];
}

/** The files of cli/ a command (cli/commands/<command>.ts) may import: the rule at the top of cli/autoscale.ts. */
const COMMAND_SHARES = ["cli/io.ts", "cli/options.ts"];

/** One line per command that imports cli/ code other than cli/io.ts and cli/options.ts. */
function commandViolations(graph: ImportGraph): string[] {
    return [...graph].filter(([file]) => file.startsWith("cli/commands/"))
        .flatMap(([file, targets]) => targets.filter((t) => t.startsWith("cli/") && !COMMAND_SHARES.includes(t))
            .map((t) => `${file} imports ${t}: a command takes only ${COMMAND_SHARES.join(" and ")} from cli/`))
        .sort();
}

/** One line per import that breaks a rule: `<file> imports <target>: <why>`. */
function layerViolations(graph: ImportGraph, rules: readonly LayerRule[]): string[] {
    const found: string[] = [];
    for (const [file, targets] of graph) {
        for (const rule of rules.filter((r) => r.from === topFolder(file))) {
            for (const target of targets) {
                if (rule.to.includes(topFolder(target))) found.push(`${file} imports ${target}: ${rule.why}`);
            }
        }
    }
    return found.sort();
}

function graphOf(edges: Record<string, string[]>): ImportGraph {
    return new Map(Object.entries(edges));
}

describe("architecture: the checks find what they look for", function () {
    it("finds a three-file cycle and prints it as a path back to its start", function () {
        const g = graphOf({ "cli/a.ts": ["cli/b.ts"], "cli/b.ts": ["proof/c.ts"], "proof/c.ts": ["cli/a.ts"], "scaling/d.ts": [] });
        expect(importCycles(g)).to.deep.equal([["cli/a.ts", "cli/b.ts", "proof/c.ts", "cli/a.ts"]]);
    });

    it("finds a file that imports itself, and nothing in a graph without cycles", function () {
        expect(importCycles(graphOf({ "load/x.ts": ["load/x.ts"] }))).to.deep.equal([["load/x.ts", "load/x.ts"]]);
        expect(importCycles(graphOf({ "a.ts": ["b.ts", "c.ts"], "b.ts": ["c.ts"], "c.ts": [] }))).to.deep.equal([]);
    });

    it("counts a cycle closed by a type import as a cycle, and says it is one", function () {
        const all = graphOf({ "runtime/a.ts": ["runtime/b.ts"], "runtime/b.ts": ["runtime/a.ts"], "runtime/c.ts": ["runtime/d.ts"], "runtime/d.ts": ["runtime/c.ts"] });
        const values = graphOf({ "runtime/a.ts": ["runtime/b.ts"], "runtime/b.ts": [], "runtime/c.ts": ["runtime/d.ts"], "runtime/d.ts": ["runtime/c.ts"] });
        expect(cycleReport(all, values)).to.deep.equal([
            "import cycle: runtime/a.ts -> runtime/b.ts -> runtime/a.ts (closed by a type import: move the type both sides need to a module of its own)",
            "import cycle: runtime/c.ts -> runtime/d.ts -> runtime/c.ts",
        ]);
    });

    it("names each import that breaks a layer rule, and passes the ones that point down", function () {
        const folders = ["aws", "cli", "components", "config", "proof", "runtime", "scaling", "scripts", "tests"];
        const g = graphOf({
            "components/scale-to-zero.ts": ["scripts/build.ts", "scaling/plan.ts", "config/load.ts"],
            "scaling/plan.ts": ["aws/limits.ts", "config/load.ts"],
            "runtime/x.ts": ["scaling/plan.ts", "cli/io.ts"],
            "proof/y.ts": ["runtime/x.ts", "cli/io.ts"],
            "cli/commands/z.ts": ["proof/y.ts", "cli/io.ts"],
        });
        expect(commandViolations(g)).to.deep.equal([]);
        expect(layerViolations(g, layerRules(folders))).to.deep.equal([
            "components/scale-to-zero.ts imports config/load.ts: components/ take args of their own: config is mapped to them by index.ts and program/, and the command sits on top",
            "components/scale-to-zero.ts imports scripts/build.ts: product code may not import tests/ or scripts/",
            "proof/y.ts imports cli/io.ts: a tool room is wired by cli/, never the other way",
            "runtime/x.ts imports cli/io.ts: runtime/ runs in AWS: it imports scaling/ and aws/, not deploy-time or command code",
            "scaling/plan.ts imports config/load.ts: scaling/ is the pure domain: it imports nothing of ours but aws/",
        ]);
    });

    it("tells the imports erased when compiled from those that load code", function () {
        const text = [
            'import type { A } from "./a";', 'import { type B } from "./b";', 'import { C, type D } from "./c";', 'import E, { type F } from "./e";',
            'export type { G } from "./g";', 'export * from "./h";', 'import "./i";', 'const j = require("./j");', 'void import("./k");', 'import { L } from "pkg";', 'type M = typeof import("./m");',
        ].join("\n");
        expect(scanImports("x.ts", text)).to.deep.equal([
            { specifier: "./a", typeOnly: true }, { specifier: "./b", typeOnly: true }, { specifier: "./c", typeOnly: false },
            { specifier: "./e", typeOnly: false }, { specifier: "./g", typeOnly: true }, { specifier: "./h", typeOnly: false },
            { specifier: "./i", typeOnly: false }, { specifier: "./j", typeOnly: false }, { specifier: "./k", typeOnly: false },
            { specifier: "./m", typeOnly: true },
        ]);
    });

    it("names a command that imports another command or the entry file", function () {
        const g = graphOf({
            "cli/commands/a.ts": ["cli/io.ts", "cli/options.ts", "cli/commands/b.ts"],
            "cli/commands/b.ts": ["cli/autoscale.ts", "proof/y.ts"],
        });
        expect(commandViolations(g)).to.deep.equal([
            "cli/commands/a.ts imports cli/commands/b.ts: a command takes only cli/io.ts and cli/options.ts from cli/",
            "cli/commands/b.ts imports cli/autoscale.ts: a command takes only cli/io.ts and cli/options.ts from cli/",
        ]);
    });
});

describe("architecture: the source tree", function () {
    let graph: ImportGraph;
    let loads: ImportGraph;
    let folders: string[];

    before(function () {
        folders = fs.readdirSync(ROOT, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith(".")).map((e) => e.name);
        ({ all: graph, values: loads } = importGraphs(ROOT, sourceFiles(ROOT)));
    });

    it("reads the files of every layer (the scan is not empty)", function () {
        for (const layer of ["cli", "components", "config", "runtime", "scaling", "proof", "load", "emulator"]) {
            expect([...graph.keys()].filter((f) => topFolder(f) === layer), layer).to.not.be.empty;
        }
        expect(graph.get("cli/autoscale.ts")).to.include("cli/commands/autoscaler.ts");
    });

    it("has no import cycle, type imports included", function () {
        const cycles = cycleReport(graph, loads);
        expect(cycles, cycles.join("\n")).to.deep.equal([]);
    });

    it("imports downwards only: no product file imports tests/ or scripts/, and each layer only the layers below it", function () {
        const found = layerViolations(graph, layerRules(folders));
        expect(found, found.join("\n")).to.deep.equal([]);
    });

    it("wires each command through cli/io.ts and cli/options.ts only (the rule at the top of cli/autoscale.ts)", function () {
        const found = commandViolations(graph);
        expect(found, found.join("\n")).to.deep.equal([]);
    });
});
