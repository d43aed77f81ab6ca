/**
 * The README is a landing page and docs/ holds the rest: this keeps them pointing at things
 * that exist. Every relative link (and its #anchor, when it names one in a Markdown page)
 * resolves; every repository path written as code (`lib/...`, `dist/lib/...js`) names a file
 * or folder that is there, so a move or rename in the tree shows up here; every page in docs/
 * is reachable from the README; and the README stays short and opens with the two commands.
 */
import t from 'tap';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { repoRoot } from '../../test/support/env.js';

/** The README must open exactly like this: a newcomer's first two commands. */
const README_OPENING = `# camwire

\`\`\`sh
npm install && npm start     # build and run camwire on its built-in demo camera: open http://127.0.0.1:8080/
npm test                     # build and run every unit, property and interop test
\`\`\`
`;

/** A landing page read in two minutes. */
const README_MAX_BYTES = 8 * 1024;

/** Top-level folders whose paths, written as code in the docs, must exist. */
const REPO_PATH = /^(?:lib|spec|test|tools|bench|native-bindings|assets|docs)\/[\w./-]*$/;
/** Build output named in the docs: `dist/lib/app/cli.js` must come from lib/app/cli.ts. */
const DIST_PATH = /^dist\/((?:lib|spec|test|tools|bench|native-bindings)\/[\w./-]*?)(?:\.js)?$/;

/** Markdown without fenced code blocks (links and paths inside them are examples, not references). */
function proseOf(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```$/gm, '');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseOf(markdown).split('\n')) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const text = m[1].replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*]/g, '');
    const base = text.toLowerCase().replace(/[^\p{L}\p{N}\p{M} _-]/gu, '').replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Targets of inline links and images, outside code. */
function linkTargets(markdown: string): string[] {
  const prose = proseOf(markdown).replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
}

/** Inline code spans that look like repository paths. */
function codePaths(markdown: string): string[] {
  const spans = [...proseOf(markdown).matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
  return spans.filter((s) => REPO_PATH.test(s) || DIST_PATH.test(s));
}

/** What is wrong with the references of one Markdown file (repository-relative name), if anything. */
function brokenReferences(file: string, markdown: string, root: string): string[] {
  const problems: string[] = [];
  const here = dirname(join(root, file));
  for (const target of linkTargets(markdown)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: ...
    const [pathPart, fragment] = target.split('#', 2);
    const path = pathPart === '' ? join(root, file) : join(here, decodeURIComponent(pathPart));
    if (!existsSync(path)) {
      problems.push(`${file}: link ${target}: no ${relative(root, path)}`);
      continue;
    }
    if (fragment !== undefined && path.endsWith('.md') && !headingAnchors(readFileSync(path, 'utf8')).has(fragment)) {
      problems.push(`${file}: link ${target}: no heading #${fragment} in ${relative(root, path)}`);
    }
  }
  for (const p of codePaths(markdown)) {
    const dist = DIST_PATH.exec(p);
    const source = dist ? dist[1].replace(/\.js$/, '') : p;
    const candidates = dist && p.endsWith('.js') ? [`${source}.ts`] : [source];
    if (!candidates.some((c) => existsSync(join(root, c)))) problems.push(`${file}: \`${p}\`: no ${candidates.join(' or ')}`);
  }
  return problems;
}

const docsDir = join(repoRoot, 'docs');
const pages = ['README.md', ...readdirSync(docsDir).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

t.test('the checker itself finds what it should', (t) => {
  t.same([...headingAnchors('# A `b` c\n## lib/rtsp/server\n## Same\n## Same\n```\n# not a heading\n```\n')], ['a-b-c', 'librtspserver', 'same', 'same-1']);
  const sample = [
    '[ok](docs/configuration.md#config-file) [gone](docs/nowhere.md) [bad anchor](docs/configuration.md#no-such-heading)',
    '[web](https://example.com/x) `lib/rtsp/server.ts` `lib/rtsp/server/server.ts` `dist/lib/cli.js` `dist/lib/app/cli.js`',
    '```', '[inside a code block](nowhere.md) `lib/nowhere.ts`', '```',
  ].join('\n');
  t.same(brokenReferences('README.md', sample, repoRoot), [
    'README.md: link docs/nowhere.md: no docs/nowhere.md',
    'README.md: link docs/configuration.md#no-such-heading: no heading #no-such-heading in docs/configuration.md',
    'README.md: `lib/rtsp/server.ts`: no lib/rtsp/server.ts',
    'README.md: `dist/lib/cli.js`: no lib/cli.ts',
  ]);
  t.end();
});

t.test('every relative link, anchor and code path in the README and docs/ resolves', (t) => {
  t.ok(pages.length > 5, `${pages.length} pages: ${pages.join(', ')}`);
  for (const page of pages) {
    t.same(brokenReferences(page, readFileSync(join(repoRoot, page), 'utf8'), repoRoot), [], page);
  }
  t.end();
});

t.test('every page in docs/ is linked from the README', (t) => {
  const linked = new Set(linkTargets(readFileSync(join(repoRoot, 'README.md'), 'utf8')).map((l) => l.split('#')[0]));
  for (const page of pages.slice(1)) t.ok(linked.has(page), `README links ${page}`);
  t.end();
});

t.test('the README is a short landing page that opens with the two commands', (t) => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  t.ok(readme.startsWith(README_OPENING), 'starts with the title and the two commands, unchanged');
  const bytes = Buffer.byteLength(readme);
  t.ok(bytes < README_MAX_BYTES, `${bytes} bytes, under ${README_MAX_BYTES}`);
  t.end();
});
