/**
 * The package's edges as an embedder meets them: each subpath export imports and works in a
 * fresh process without mapping node-datachannel's native addon (only starting a gateway maps
 * it), and the packed tarball ships the library, the CLI and the demo clip, but no tests,
 * specs, benchmarks or tools. Children resolve `camwire/...` through the package's
 * self-reference (Node resolves a package's own name from inside it when it has "exports").
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const ADDON = /node_datachannel\.node/;

/** Runs `body` as an ES module in a child node at the repository root; it prints one JSON line. */
async function child(body: string): Promise<Record<string, unknown>> {
  const script = `import { readFileSync } from 'node:fs';
const mapped = () => ${ADDON}.test(readFileSync('/proc/self/maps', 'utf8'));
${body}`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot, timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').pop() as string) as Record<string, unknown>;
}

/** Subpath -> an expression that uses one function of it (`m`), and what it must give. */
const SUBPATHS: Record<string, [string, unknown]> = {
  'camwire/rtp': ['m.seqDistance(65535, 0)', 1],
  'camwire/rtcp': ['m.fractionLost(100, 25)', 64],
  'camwire/sdp': [String.raw`m.parseSdp('v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n').media.length`, 1],
  'camwire/h264': ['m.nalType(new Uint8Array([0x65]))', 5],
  'camwire/h265': ['m.h265NalType(0x26)', 19],
  'camwire/rtsp': ['m.reasonPhrase(454)', 'Session Not Found'],
  'camwire/recovery': ['(() => { let n = 0; const b = new m.ReorderBuffer({ onPacket() { n++; }, onLoss() {} }, { startupHold: false }); b.push({}, 7, 0); b.push({}, 8, 0); return n; })()', 2],
  'camwire/netsim': ['new m.Prng(1).next() === new m.Prng(1).next()', true],
  'camwire/congestion': ['new m.BandwidthEstimator({ initialBps: 500000 }).estimateBps', 500000],
  'camwire/mp4': ['m.MP4_DEFAULTS.maxFragmentBytes', 8 * 1024 * 1024],
  'camwire/audio': ['m.ALAW_TO_PCM[m.linearToAlaw(0)] === m.ALAW_TO_PCM[m.linearToAlaw(1)]', true],
  'camwire/ingest': ['m.profileName({ profileIdc: 100, constraintFlags: 0 })', 'High'],
  'camwire/gateway': ['Object.keys(m.parseConfig({}).streams).length', 0],
  'camwire/capture': ['m.epbSize({ src: new Uint8Array(4), dst: new Uint8Array(4), srcPort: 0, dstPort: 0 }, 0)', 60],
  camwire: ['typeof m.startGateway', 'function'],
};

const linux = existsSync('/proc/self/maps');

t.test('each subpath works without mapping the native addon', { skip: linux ? false : 'needs /proc/self/maps (Linux)' }, async (t) => {
  const exportsMap = (JSON.parse(readFileSync(new URL('package.json', `file://${repoRoot}`), 'utf8')) as { exports: Record<string, unknown> }).exports;
  t.same(Object.keys(exportsMap).map((k) => k.replace(/^\./, 'camwire')).sort(), Object.keys(SUBPATHS).sort(), 'every export is checked here');
  for (const [spec, [use, want]] of Object.entries(SUBPATHS)) {
    const got = await child(`const m = await import('${spec}');
process.stdout.write(JSON.stringify({ value: ${use}, native: mapped() }) + '\\n');`);
    t.same(got, { value: want, native: false }, `${spec}: ${use}`);
  }
});

t.test('control: starting a gateway maps the addon (so the check above can fail)', { skip: linux ? false : 'needs /proc/self/maps (Linux)' }, async (t) => {
  const got = await child(`const m = await import('camwire');
const imported = mapped();
const g = await m.startGateway(m.parseConfig({ http: { host: '127.0.0.1', port: 0 }, webrtc: { bindAddress: '127.0.0.1' } }));
const started = mapped();
await g.close();
process.stdout.write(JSON.stringify({ imported, started }) + '\\n');`);
  t.same(got, { imported: false, started: true });
});

t.test('npm pack ships the library, CLI and demo clip, and no tests, specs, benchmarks or tools', async (t) => {
  // --ignore-scripts: `prepare` would rebuild dist while other tests read it
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repoRoot, timeout: 120_000 });
  const files = new Set((JSON.parse(stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path));
  const stray = [...files].filter((p) => /^(dist\/(test|spec|bench|tools)\/|test\/|spec\/|bench\/|tools\/|lib\/)/.test(p) || /(^|\/)lab\//.test(p));
  t.same(stray, [], 'nothing outside the shipped library');
  for (const p of ['dist/lib/app/cli.js', 'dist/lib/index.js', 'dist/native-bindings/webrtc.js', 'assets/demo.h264', 'package.json']) {
    t.ok(files.has(p), `ships ${p}`);
  }
  const pkg = JSON.parse(readFileSync(new URL('package.json', `file://${repoRoot}`), 'utf8')) as { exports: Record<string, { types: string; import: string }>; bin: Record<string, string> };
  for (const [sub, target] of Object.entries(pkg.exports)) {
    for (const p of [target.types, target.import]) t.ok(files.has(p.replace(/^\.\//, '')), `export ${sub} -> ${p} is shipped`);
  }
  for (const p of Object.values(pkg.bin)) t.ok(files.has(p.replace(/^\.\//, '')), `bin ${p} is shipped`);
});
