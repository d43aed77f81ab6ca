import t from 'tap';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { startUdpRelay } from '../../lib/netsim/udp-relay.js';
import { RecoveringReceiver } from '../../lib/recovery/receiver.js';
import { RetransmissionHistory, ResendLimiter, type ResendSink } from '../../lib/recovery/history.js';
import type { ReorderSink } from '../../lib/recovery/reorder-buffer.js';
import { seqAdd } from '../../lib/rtp/seq.js';

async function bound(): Promise<Socket> {
  const s = createSocket('udp4');
  s.bind(0, '127.0.0.1');
  await once(s, 'listening');
  return s;
}

/**
 * Real sockets and timers on 127.0.0.1: sender -> relay (5% loss both ways, jitter) -> receiver.
 * The receiver NACKs over the relay's return path (a bare list of u16 seqs stands in for RTCP),
 * the sender answers from its history. Across the 65535 -> 0 wrap.
 */
t.test('end to end over the UDP relay: 5% loss both ways, every packet recovered', async (t) => {
  const sender = await bound();
  const receiver = await bound();
  const relay = await startUdpRelay({
    target: { port: receiver.address().port },
    forward: { loss: 0.05, delay: { delayMs: 3, jitterMs: 1 } },
    back: { loss: 0.05, delay: { delayMs: 3, jitterMs: 1 } },
    seed: 2024,
  });
  let timer: NodeJS.Timeout | undefined;
  t.teardown(async () => { if (timer) clearTimeout(timer); await relay.close(); sender.close(); receiver.close(); });

  const n = 600;
  const seq0 = 65300;
  const history = new RetransmissionHistory();
  const limiter = new ResendLimiter();
  const resend: ResendSink = { resend: (pkt) => { sender.send(pkt, relay.port, '127.0.0.1'); } };
  sender.on('message', (msg) => {
    const seqs: number[] = [];
    for (let o = 0; o + 1 < msg.length; o += 2) seqs.push(msg.readUInt16BE(o));
    history.serve(seqs, performance.now(), limiter, 5, resend);
  });

  const delivered: number[] = [];
  const sink: ReorderSink<Buffer> = { onPacket: (p) => delivered.push(p.readUInt32BE(12)), onLoss: () => {} };
  const rx = new RecoveringReceiver<Buffer>(sink, { nack: { firstDelayMs: 5, maxTries: 6 }, reorder: { maxWaitMs: 1000 } });
  rx.setRttMs(15);
  let nackTo: { port: number; address: string } | undefined;
  const service = () => {
    timer = undefined;
    const req = rx.poll(performance.now());
    if (req.seqs.length > 0 && nackTo) {
      const b = Buffer.alloc(req.seqs.length * 2);
      req.seqs.forEach((s, i) => b.writeUInt16BE(s, i * 2));
      receiver.send(b, nackTo.port, nackTo.address);
    }
    schedule();
  };
  const schedule = () => {
    const at = rx.nextDeadline();
    if (at === Infinity) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(service, Math.max(0, at - performance.now()));
  };
  receiver.on('message', (msg, rinfo) => {
    nackTo = { port: rinfo.port, address: rinfo.address };
    rx.push(msg, msg.readUInt16BE(2), msg.readUInt32BE(4), performance.now());
    schedule();
  });

  for (let i = 0; i < n; i++) {
    const b = Buffer.alloc(300);
    b[0] = 0x80; b[1] = 96;
    b.writeUInt16BE(seqAdd(seq0, i), 2);
    b.writeUInt32BE(i * 3000, 4);
    b.writeUInt32BE(i, 12);
    history.store(b, performance.now());
    sender.send(b, relay.port, '127.0.0.1');
    if (i % 20 === 19) await new Promise((r) => setTimeout(r, 5));
  }
  for (let i = 0; i < 300 && delivered.length < n; i++) await new Promise((r) => setTimeout(r, 10));
  const s = rx.stats();
  const first = delivered[0];
  t.equal(first, 0, 'the first packet arrived (seed chosen so it is not dropped; a receiver cannot know of earlier ones)');
  t.same(delivered, Array.from({ length: delivered.length }, (_, i) => i), 'in order, no duplicates');
  t.ok(delivered.length >= n - 2, `delivered ${delivered.length} of ${n} (the last one or two can be lost with nothing after them)`);
  t.equal(s.lost, 0);
  t.ok(s.recovered >= 10, `recovered ${s.recovered} by NACK over real UDP`);
  t.ok(relay.forward.models[0].stats.dropped >= 10, 'the relay really dropped packets');
});
