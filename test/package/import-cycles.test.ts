/**
 * No import cycles in the shipped library (dist/lib and dist/native-bindings): a cycle makes
 * module evaluation order decide whether a binding is initialized, and keeps layers from being
 * taken one at a time. Also: only lib/app (the composition root) reaches native-bindings, only
 * native-bindings imports node-datachannel, and nothing in lib but its index imports lib/app.
 */
import t from 'tap';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findCycles, importGraph, staticSpecifiers } from './import-graph.js';

const dist = fileURLToPath(new URL('../../', import.meta.url));

t.test('the finder sees static imports and re-exports, and reports a cycle', async (t) => {
  t.same(staticSpecifiers(`import { a } from './a.js';\nexport * from "./b.js";\nimport './c.js';\nexport {\n  d,\n} from './d.js';\nconst x = await import('./lazy.js');`),
    ['./a.js', './b.js', './c.js', './d.js']);
  const dir = mkdtempSync(join(tmpdir(), 'camwire-cycles-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'x'));
  writeFileSync(join(dir, 'a.js'), `import { b } from './x/b.js';\nimport 'node:fs';`);
  writeFileSync(join(dir, 'x/b.js'), `export { c } from '../c.js';`);
  writeFileSync(join(dir, 'c.js'), `import { a } from './a.js';\nconst lazy = () => import('./d.js');`);
  writeFileSync(join(dir, 'd.js'), `import { a } from './a.js';`);
  t.same(findCycles(importGraph(dir)), [['a.js', 'x/b.js', 'c.js', 'a.js']]);
});

t.test('dist/lib and dist/native-bindings have no import cycle', async (t) => {
  const graph = importGraph(dist);
  const shipped = new Map([...graph].filter(([file]) => file.startsWith('lib/') || file.startsWith('native-bindings/')));
  t.ok(shipped.size > 100, `walked ${shipped.size} modules`);
  const cycles = findCycles(shipped);
  t.same(cycles.map((c) => c.join(' -> ')), [], 'cycles');
});

t.test('native-bindings is reached only from lib/app, node-datachannel only from native-bindings', async (t) => {
  const graph = importGraph(dist);
  // static or dynamic: the composition root loads the addon lazily, nothing else loads it at all
  const specifier = (target: string) => new RegExp(`(?:from\\s*|import\\s*\\(\\s*|^\\s*import\\s*)['"]${target}`, 'm');
  const nativeBindings = specifier('[^\'"]*native-bindings/');
  const addon = specifier('node-datachannel[\'"/]');
  const reachNative: string[] = [];
  const loadAddon: string[] = [];
  for (const file of [...graph.keys()].sort()) {
    if (!file.startsWith('lib/') && !file.startsWith('native-bindings/')) continue;
    const source = readFileSync(join(dist, file), 'utf8');
    if (!file.startsWith('lib/app/') && nativeBindings.test(source)) reachNative.push(file);
    if (addon.test(source)) loadAddon.push(file);
  }
  t.same(reachNative, [], 'lib outside lib/app does not import native-bindings');
  t.same(loadAddon, ['native-bindings/webrtc.js'], 'only native-bindings imports node-datachannel');
  t.ok(nativeBindings.test(readFileSync(join(dist, 'lib/app/start.js'), 'utf8')), 'the pattern finds the composition root\'s import');
});

t.test('the composition root sits on top: only lib/index.js imports lib/app (lib/http hosts none of it)', async (t) => {
  const importers = [...importGraph(dist)]
    .filter(([file, deps]) => file.startsWith('lib/') && !file.startsWith('lib/app/') && deps.some((d) => d.startsWith('lib/app/')))
    .map(([file]) => file);
  t.same(importers, ['lib/index.js']);
});
