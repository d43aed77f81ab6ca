import t from 'tap';
import { createSocket, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { ImpairedPipe } from '../../tools/lab/impaired-pipe.js';
import type { LinkProfile } from '../../lib/netsim/link.js';

function rtp(seq: number, ts: number): Buffer {
  const b = Buffer.alloc(200);
  b[0] = 0x80; b[1] = 102;
  b.writeUInt16BE(seq, 2); b.writeUInt32BE(ts, 4); b.writeUInt32BE(0xabcdef01, 8);
  return b;
}

async function bound(): Promise<Socket> {
  // Large buffers: on a loaded machine the kernel must not drop what the test counts.
  const s = createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return s;
}

/** Waits until `count` stops changing for 300 ms. */
async function settle(count: () => number): Promise<void> {
  let last = -1;
  while (count() !== last) {
    last = count();
    await new Promise((r) => setTimeout(r, 300));
  }
}

/**
 * Sends `n` media packets (plus, when `noise`, a retransmission and an RTCP packet after
 * each one) through a pipe; returns the media sequence numbers that came out.
 */
async function run(seed: number, profile: LinkProfile, n: number, noise: boolean): Promise<{ got: number[]; pipe: ImpairedPipe }> {
  const sender = await bound();
  const receiver = await bound();
  const pipe = await ImpairedPipe.start({
    mediaArrivesOn: 'b', media: profile, reverse: {}, seed,
    aPeer: { address: '127.0.0.1', port: receiver.address().port },
  });
  const got: number[] = [];
  receiver.on('message', (m) => { if (m[1] === 102 && m.readUInt32BE(4) !== 0xffffffff) got.push(m.readUInt16BE(2)); });
  for (let i = 0; i < n; i++) {
    sender.send(rtp(i, i * 3000), pipe.bPort, '127.0.0.1');
    if (noise) {
      const repair = rtp(Math.max(0, i - 1), 0xffffffff);
      repair.writeUInt16BE(Math.max(0, i - 1), 2);
      sender.send(repair, pipe.bPort, '127.0.0.1');
      sender.send(Buffer.from([0x81, 201, 0, 1, 0, 0, 0, 1]), pipe.bPort, '127.0.0.1');
    }
    if (i % 20 === 19) await new Promise((r) => setTimeout(r, 5));
  }
  await settle(() => got.length);
  await pipe.close();
  sender.close();
  receiver.close();
  return { got: [...new Set(got)].sort((a, b) => a - b), pipe };
}

t.test('same seed, same media drop pattern, whatever else crosses the link', async (t) => {
  const profile = { loss: 0.2 };
  const a = await run(42, profile, 400, false);
  const b = await run(42, profile, 400, true);
  const c = await run(43, profile, 400, false);
  t.ok(a.got.length > 260 && a.got.length < 380, `about 80% delivered (${a.got.length})`);
  t.same(b.got, a.got, 'retransmissions and RTCP in between do not change which first transmissions are dropped');
  t.notSame(a.got, c.got, 'another seed, another pattern');
});

t.test('clean pipe counts frames and forwards everything', async (t) => {
  const { got, pipe } = await run(1, {}, 100, false);
  t.equal(got.length, 100);
  const s = pipe.stats();
  t.equal(s.wire.frames, 100);
  t.equal(s.wire.mediaPackets, 100);
  t.equal(s.media.in, 100);
  t.equal(s.media.out, 100);
  t.equal(pipe.dropped().media, 0);
});

t.test('minSize: small datagrams bypass the impairment', async (t) => {
  const sender = await bound();
  const receiver = await bound();
  const pipe = await ImpairedPipe.start({ mediaArrivesOn: 'b', media: { loss: 0.99 }, reverse: {}, seed: 1, minSize: 100, aPeer: { address: '127.0.0.1', port: receiver.address().port } });
  let n = 0;
  receiver.on('message', () => { n++; });
  for (let i = 0; i < 50; i++) sender.send(Buffer.from([0x81, 201, 0, 1, 0, 0, 0, i]), pipe.bPort, '127.0.0.1');
  await settle(() => n);
  t.equal(n, 50);
  t.equal(pipe.stats().media.bypassed, 50);
  await pipe.close();
  sender.close();
  receiver.close();
});

t.test('tbf: one bottleneck for every packet class, never more through than the burst and the rate allow', async (t) => {
  const burst = 4000;
  const kbps = 800;
  const started = performance.now();
  const { pipe } = await run(1, { tbf: { kbps, burstBytes: burst, latencyMs: 50 } }, 300, true);
  const elapsedMs = performance.now() - started;
  const s = pipe.stats().media;
  t.ok(s['shared.token-bucket.dropped'] > 0, 'the excess was dropped');
  t.equal(s['shared.token-bucket.in'], 900, 'media, repairs and RTCP all entered the one bucket');
  const bytes = pipe.mediaBytes();
  t.equal(bytes.in, 300 * 200 * 2 + 300 * 8);
  t.ok(bytes.out <= burst + (kbps / 8) * elapsedMs, `${bytes.out} bytes out in ${elapsedMs.toFixed(0)} ms`);
  t.equal(pipe.mediaRateKbps(), kbps);
  t.equal(pipe.dropped().media, s['shared.token-bucket.dropped']);
});
