#!/usr/bin/env node
/**
 * `npm run lab -- [options]`: the loss lab. Runs the scenario matrix end to end (camera
 * stand-in -> camwire -> headless Chromium over WHEP) and writes JSON records, SVG charts
 * and an index.html to the results folder.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cameraMissing } from './cameras.js';
import { runMatrix } from './matrix.js';
import { DEFAULT_MATRIX, PRESETS, STRATEGIES, buildScenario, describeProfile, expandScenarios, parseImpairment, type Scenario, type SourceKind } from './scenario.js';
import { CHROMIUM_PATH } from './browser.js';
import { BANDWIDTH_MATRIX } from './bandwidth-scenarios.js';
import { existsSync } from 'node:fs';

const HELP = `camwire loss lab

usage: npm run lab -- [scenario ...] [options]
  --scenario a,b      presets to run (default: ${DEFAULT_MATRIX.join(',')}); --list shows them;
                      'bandwidth' stands for the bandwidth set (${BANDWIDTH_MATRIX.join(',')}):
                      a two-rendition camera behind a tbf-shaped link, charts of capacity, estimate and rendition
  --impair SPEC       a custom scenario instead, e.g. webrtc:loss=0.05,both  camera:reorder=0.25,jitter=20
                      keys: loss=P burst=AVG/MEANBURST reorder=P dup=P delay=MS jitter=MS min-size=BYTES both
  --strategies a,b    strategies (default: the preset's); known: ${Object.keys(STRATEGIES).join(', ')}
  --source demo|gstreamer|both   camera stand-in (default demo)
  --seed N[,M...]     impairment seeds (default 1)
  --duration S        seconds of play per run (default: the preset's)
  --out DIR           results folder (default lab-results)
  --screenshots       save a screenshot at the end of each run
  --capture           keep each run's pcapng capture (both legs, camwire's decisions) in DIR/captures/
  --audio             the demo camera sends its G.711 beeps and the viewer takes them: audio rows
                      (packets lost, samples concealed) beside the video's
  --list              list presets and strategies`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      scenario: { type: 'string' }, impair: { type: 'string' }, strategies: { type: 'string' }, source: { type: 'string' },
      seed: { type: 'string' }, duration: { type: 'string' }, out: { type: 'string' }, screenshots: { type: 'boolean' }, capture: { type: 'boolean' }, audio: { type: 'boolean' },
      list: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) { console.log(HELP); return 0; }
  // `npm run lab -- bw-step` is `--scenario bw-step`.
  if (positionals.length > 0) values.scenario = [values.scenario, ...positionals].filter(Boolean).join(',');
  if (values.list) {
    for (const p of Object.values(PRESETS)) {
      console.log(`${p.id.padEnd(14)} ${p.title}: ${p.impairment.leg} leg, ${describeProfile(p.impairment.forward)}; strategies ${p.strategies.map((s) => s.name).join(', ')}`);
    }
    for (const s of Object.values(STRATEGIES)) console.log(`strategy ${s.name.padEnd(22)} recovery=${s.recovery} pli=${s.pli} reorder=${s.reorder}${s.retransmitCopies ? ` copies=${s.retransmitCopies}` : ''}`);
    return 0;
  }
  const sources: SourceKind[] = values.source === 'both' ? ['demo', 'gstreamer'] : [(values.source ?? 'demo') as SourceKind];
  for (const s of sources) {
    if (s !== 'demo' && s !== 'gstreamer') throw new Error(`--source must be demo, gstreamer or both`);
    const why = cameraMissing(s);
    if (why) throw new Error(why);
  }
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium not found at ${CHROMIUM_PATH} (set CAMWIRE_CHROMIUM)`);
  const seeds = (values.seed ?? '1').split(',').map(Number);
  if (seeds.some((s) => !Number.isInteger(s))) throw new Error('--seed wants integers');
  const durationS = values.duration ? Number(values.duration) : undefined;
  if (durationS !== undefined && !(durationS >= 3)) throw new Error('--duration must be at least 3 s');
  const strategies = values.strategies?.split(',');
  const scenarios: Scenario[] = [];
  for (const source of sources) {
    for (const seed of seeds) {
      if (values.impair) {
        const impairment = parseImpairment(values.impair);
        scenarios.push({
          id: 'custom', title: `custom: ${values.impair}`, source, seed, durationS: durationS ?? 30, impairment,
          strategies: (strategies ?? ['none', 'nack', 'nack+rtx']).map((n) => STRATEGIES[n] ?? (() => { throw new Error(`unknown strategy ${n}`); })()),
          expect: [],
        });
      } else {
        for (const id of expandScenarios(values.scenario ?? DEFAULT_MATRIX.join(','))) scenarios.push(buildScenario(id, { source, seed, durationS, strategies }));
      }
    }
  }
  if (values.audio) for (const sc of scenarios) sc.audio = true;
  const { records } = await runMatrix(scenarios, { outDir: resolve(values.out ?? 'lab-results'), screenshots: values.screenshots, capture: values.capture });
  return records.some((r) => r.judged && r.failures.length > 0) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`lab: ${(err as Error).message}`);
    process.exit(2);
  },
);
