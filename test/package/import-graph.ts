/**
 * The static import graph of compiled ES modules (`import ... from`, `export ... from`, bare
 * `import '...'`; type-only imports are gone after tsc, dynamic `import()` is lazy and skipped),
 * and its cycles. Relative specifiers only: packages and node: builtins cannot close a cycle
 * inside the directory walked.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// `from '...'` closing an import/export statement, or a side-effect `import '...'` at a line start
const STATIC_SPECIFIER = /(?:^|[\s;}])from\s*(['"])([^'"]+)\1|^\s*import\s*(['"])([^'"]+)\3/gm;

export function staticSpecifiers(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(STATIC_SPECIFIER)) out.push(m[2] ?? m[4]);
  return out;
}

function jsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...jsFiles(p));
    else if (e.name.endsWith('.js')) out.push(p);
  }
  return out;
}

/** Module (path relative to `root`) -> the modules under `root` it imports statically. */
export function importGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of jsFiles(root)) {
    const deps: string[] = [];
    for (const spec of staticSpecifiers(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec);
      const rel = relative(root, target);
      if (!rel.startsWith('..')) deps.push(rel);
    }
    graph.set(relative(root, file), deps);
  }
  return graph;
}

/** Cycles met by a depth-first search, one per back edge, as [a, b, ..., a]: empty iff the graph has none. */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const s = state.get(next);
      if (s === 'open') {
        const cycle = stack.slice(stack.indexOf(next)).concat(next);
        const key = [...cycle.slice(0, -1)].sort().join('\n');
        if (!seen.has(key)) { seen.add(key); cycles.push(cycle); }
      } else if (s === undefined) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}
