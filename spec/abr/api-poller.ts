/**
 * camwire's view of its demo stream's first viewer, one JSON line every 250 ms:
 * `node api-poller.js <port>`, run inside a link's server namespace, reads /api/streams over
 * that namespace's loopback, so a shaped link (where a request waits behind the media queue, by
 * seconds) does not delay what the spec learns. Ends when its stdin ends (the spec stops it, or
 * dies: a poller left behind would poll forever).
 */
import type { ApiSample } from './watch.js';

const port = Number(process.argv[2] ?? 8080);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
process.stdout.on('error', () => process.exit(0));
process.stdin.on('end', () => process.exit(0)).resume();

async function poll(): Promise<ApiSample | undefined> {
  const body = (await (await fetch(`http://127.0.0.1:${port}/api/streams`)).json()) as any;
  const stream = body.streams.find((x: any) => x.name === 'demo');
  const r = stream?.viewers[0]?.rendition;
  if (!r) return undefined;
  const b = r.bandwidth ?? {};
  return {
    rendition: r.current, target: r.target, switches: r.switches, estimateBps: b.estimateBps ?? 0, ackedBps: b.ackedBps ?? 0,
    usage: b.usage ?? '', feedbacks: b.feedbacks ?? 0, sent: stream.accessUnits, probes: b.probes ?? 0, probeBps: b.probeBps ?? 0,
  };
}

for (;;) {
  const s = await poll().catch(() => undefined);
  if (s) process.stdout.write(JSON.stringify(s) + '\n');
  await sleep(250);
}
