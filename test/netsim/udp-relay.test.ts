import t from 'tap';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { startUdpRelay } from '../../lib/netsim/udp-relay.js';

async function bound() {
  const s = createSocket('udp4');
  s.bind(0, '127.0.0.1');
  await once(s, 'listening');
  return s;
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('UDP relay on 127.0.0.1: forwards both ways through the models (10% loss forward, clean back)', async (t) => {
  const target = await bound();
  const client = await bound();
  const relay = await startUdpRelay({ target: { port: target.address().port }, forward: { loss: 0.1, delay: { delayMs: 2, jitterMs: 1 } }, seed: 7 });
  t.teardown(async () => { await relay.close(); target.close(); client.close(); });
  const atTarget: number[] = [];
  const atClient: number[] = [];
  let fromElsewhere = 0;
  target.on('message', (m, rinfo) => {
    atTarget.push(m.readUInt16BE(0));
    if (rinfo.port !== relay.upstreamPort) fromElsewhere++;
    target.send(m, rinfo.port, rinfo.address); // echo back through the relay
  });
  client.on('message', (m) => atClient.push(m.readUInt16BE(0)));
  const n = 400;
  for (let i = 0; i < n; i++) {
    const b = Buffer.alloc(100);
    b.writeUInt16BE(i, 0);
    client.send(b, relay.port, '127.0.0.1');
    if (i % 50 === 49) await wait(5);
  }
  const dropped = () => relay.forward.models[0].stats.dropped;
  for (let i = 0; i < 200 && (atTarget.length < n - dropped() || atClient.length < atTarget.length); i++) await wait(10);
  const s = relay.stats();
  t.equal(fromElsewhere, 0, 'the target sees the relay\'s upstream port');
  t.equal(atTarget.length, n - dropped(), 'exactly what the loss model did not drop arrived');
  t.equal(s.forward.sent, n, 'every datagram entered the forward link');
  t.equal(atTarget.length, s.forward.delivered);
  t.ok(atTarget.length > n * 0.8 && atTarget.length < n * 0.97, `${atTarget.length} of ${n} crossed a 10% loss link`);
  t.equal(new Set(atTarget).size, atTarget.length, 'no duplicates were configured');
  t.equal(atClient.length, atTarget.length, 'the clean return link delivered every echo');
  t.equal(s.errors, 0);
});
