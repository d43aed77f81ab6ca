/**
 * The README's config example shows every setting with its default: it must stay a config
 * camwire accepts (a renamed or removed key would be refused as "not a known setting").
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../lib/gateway/config.js';
import { repoRoot } from '../../test/support/env.js';

t.test('the README config example is a valid config', (t) => {
  // The block moved from the README's "### Config file" to the first ```json block of docs/configuration.md.
  const section = readFileSync(join(repoRoot, 'docs/configuration.md'), 'utf8');
  const m = /```json\n([\s\S]*?)\n```/.exec(section);
  t.ok(m, 'a JSON block under "Config file"');
  const example = JSON.parse(m![1]);
  t.same(parseConfig(structuredClone(example)), example, 'accepted as it is');
  t.end();
});
