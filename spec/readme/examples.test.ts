/**
 * The embedder examples of docs/embedding.md are real code: this test runs them through the
 * package's public entry point (dist/lib/index.js, what `import ... from 'camwire'` loads) and
 * checks that the page still shows exactly these lines.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../test/support/env.js';
import { RtspClient, H264Depacketizer, ReorderBuffer, startDemoCamera, startGateway, parseConfig, type RtpPacket } from '../../lib/index.js';
import { parseGatewayArgs } from '../../lib/app/cli-gateway.js';
import { parseProbeArgs } from '../../lib/app/cli-probe.js';
import { parseDemoCameraArgs } from '../../lib/app/cli-demo-camera.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Lines between `// EXAMPLE:<name>` and `// END`, trimmed, from this file's TypeScript source. */
function exampleLines(name: string): string[] {
  const src = readFileSync(join(repoRoot, 'spec/readme/examples.test.ts'), 'utf8').split('\n');
  const start = src.findIndex((l) => l.trim() === `// EXAMPLE:${name}`);
  const end = src.findIndex((l, i) => i > start && l.trim() === '// END');
  return src.slice(start + 1, end).map((l) => l.trim()).filter(Boolean);
}

const EMBEDDING_PAGE = 'docs/embedding.md';

function pageShows(t: { ok(v: unknown, m: string): void }, name: string): void {
  const page = readFileSync(join(repoRoot, EMBEDDING_PAGE), 'utf8').split('\n').map((l) => l.trim());
  const lines = exampleLines(name);
  t.ok(lines.length > 3, `example ${name} found`);
  const shown = page.some((_, at) => lines.every((l, i) => page[at + i] === l));
  t.ok(shown, `${EMBEDDING_PAGE} shows the ${name} example verbatim`);
}

t.test('embedding example: RtspClient + reorder buffer + H.264 depacketizer', async (t) => {
  const camera = await startDemoCamera({ host: '127.0.0.1', port: 0 });
  try {
    // EXAMPLE:client
    const client = new RtspClient({ url: camera.url, transport: 'udp' });
    let frames = 0;
    let keyframes = 0;
    const depacketizer = new H264Depacketizer((au) => {
      if (!au.complete) return; // a lost packet: wait for the next keyframe, or pass it flagged
      frames++;
      if (au.keyframe) keyframes++;
    });
    // UDP can reorder and lose: put packets back in order, tell the depacketizer about gaps
    const reorder = new ReorderBuffer<RtpPacket>({
      onPacket: (packet) => depacketizer.push(packet),
      onLoss: () => depacketizer.markLoss(),
    });
    client.on('rtp', (packet: RtpPacket) => reorder.push(packet, packet.sequenceNumber, performance.now()));
    const timer = setInterval(() => reorder.poll(performance.now()), 20);
    await client.start();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await client.stop();
    clearInterval(timer);
    console.log(`${frames} frames, ${keyframes} keyframes`);
    // END
    t.ok(frames >= 30, `${frames} complete access units in 2 s of a 30 fps camera`);
    t.ok(keyframes >= 1, `${keyframes} keyframes`);
  } finally {
    await camera.close();
  }
  pageShows(t, 'client');
});

t.test('embedding example: a gateway inside your own program', async (t) => {
  // EXAMPLE:gateway
  const camera = await startDemoCamera({ host: '127.0.0.1', port: 0 });
  const gateway = await startGateway(parseConfig({
    http: { host: '127.0.0.1', port: 0 },
    streams: { lecture: { url: camera.url, transport: 'udp', onDemand: false } },
  }));
  console.log(`player: ${gateway.address}/watch/lecture, WHEP: ${gateway.address}/whep/lecture`);
  // END
  try {
    let api: any;
    for (let i = 0; i < 80; i++) {
      api = await (await fetch(`${gateway.address}/api/streams`)).json();
      if (api.streams[0].accessUnits > 10) break;
      await sleep(100);
    }
    t.equal(api.streams[0].name, 'lecture');
    t.ok(api.streams[0].accessUnits > 10, `always-on stream pulled the camera (${api.streams[0].accessUnits} access units)`);
  } finally {
    await gateway.close();
    await camera.close();
  }
  pageShows(t, 'gateway');
});

/** `npx camwire ...` lines of the shell blocks of a page: the arguments, and the comment after `#`. */
function camwireCommands(page: string): { argv: string[]; comment: string }[] {
  const text = readFileSync(join(repoRoot, page), 'utf8');
  const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  return blocks.flatMap((b) => b.split('\n')).filter((l) => l.startsWith('npx camwire')).map((l) => {
    const [command, comment = ''] = l.split(/\s+#\s+/, 2);
    return { argv: command.trim().split(/\s+/).slice(2), comment };
  });
}

t.test('the camwire command lines the README and docs/configuration.md show are accepted as written', (t) => {
  const commands = [...camwireCommands('README.md'), ...camwireCommands('docs/configuration.md')];
  t.ok(commands.length >= 5, `${commands.length} command lines`);
  for (const { argv, comment } of commands) {
    const line = `camwire ${argv.join(' ')}`;
    const parsed = argv[0] === 'probe' ? parseProbeArgs(argv.slice(1)) : argv[0] === 'demo-camera' ? parseDemoCameraArgs(argv.slice(1)) : parseGatewayArgs(argv);
    t.not(typeof parsed, 'string', `${line}: ${typeof parsed === 'string' ? parsed : 'accepted'}`);
    const servedAs = /served as "([^"]+)"/.exec(comment)?.[1];
    if (servedAs && typeof parsed !== 'string' && 'sources' in parsed) {
      t.same(parsed.sources.map((x) => x.name), [servedAs], `${line}: served as ${servedAs}`);
    }
  }
  t.end();
});
