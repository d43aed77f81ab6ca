/**
 * The documented config example shows every setting with its default: it must stay a config
 * camwire accepts (a renamed or removed key would be refused as "not a known setting"), and
 * it must be exactly camwire's default config (a changed default, or a setting added without
 * being documented, fails here). It lives in docs/configuration.md (the first JSON block)
 * when that file exists, else in the README under "### Config file".
 */
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultConfig, defaultStreamConfig, parseConfig, type CamwireConfig } from '../../lib/gateway/config.js';
import { repoRoot } from '../../test/support/env.js';

function documentedConfig(): { where: string; block: string | undefined } {
  const docs = join(repoRoot, 'docs', 'configuration.md');
  if (existsSync(docs)) return { where: 'docs/configuration.md', block: firstJsonBlock(readFileSync(docs, 'utf8')) };
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const at = readme.indexOf('### Config file');
  return { where: 'README.md "### Config file"', block: at < 0 ? undefined : firstJsonBlock(readme.slice(at)) };
}

function firstJsonBlock(markdown: string): string | undefined {
  return /```json\n([\s\S]*?)\n```/.exec(markdown)?.[1];
}

const { where, block } = documentedConfig();

t.test(`the config example (${where}) is a valid config`, (t) => {
  t.ok(block, 'a JSON block');
  const example = JSON.parse(block!);
  t.same(parseConfig(structuredClone(example)), example, 'accepted as it is');
  t.end();
});

t.test(`the config example (${where}) is exactly the default config`, (t) => {
  const example = JSON.parse(block!) as CamwireConfig;
  const names = Object.keys(example.streams ?? {});
  t.ok(names.length > 0, 'it shows a stream, with the settings a stream has besides its url');
  // A stream has no default: the example's streams are the default stream settings plus each one's url.
  const expected: CamwireConfig = {
    ...defaultConfig(),
    streams: Object.fromEntries(names.map((name) => [name, { url: example.streams[name].url, ...defaultStreamConfig() }])),
  };
  t.strictSame(example, expected, 'every key with its default, and nothing else');
  t.end();
});
