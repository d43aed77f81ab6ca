import t from 'tap';
import { ProbeSender } from '../../lib/gateway/probe-sender.js';
import { TransportCcPeer } from '../../lib/gateway/transport-cc-peer.js';
import { VirtualScheduler } from '../support/virtual-clock.js';
import { FakePeer } from '../support/fake-transport.js';
import { TrackSender } from '../../lib/gateway/track-sender.js';
import { gatewayRtcp } from '../../lib/gateway/rtcp-adapter.js';
import { buildRtx } from '../../lib/recovery/index.js';
import type { PeerMediaParams } from '../../lib/gateway/transport.js';

const media: PeerMediaParams = { mid: '0', payloadType: 96, fmtp: '', rtxPayloadType: 97, ssrc: 0x1111, rtxSsrc: 0x2222, cname: 'c', streamId: 's', trackId: 't' };

function setup(rtx = true) {
  const clock = new VirtualScheduler(0);
  const inner = new FakePeer(rtx ? media : { ...media, rtxPayloadType: undefined, rtxSsrc: undefined }, { onRtcp: () => undefined, onOpen: () => undefined, onState: () => undefined }, () => undefined);
  inner.open();
  const twcc = new TransportCcPeer(inner, 5, () => clock.now());
  const sender = new TrackSender({ peer: twcc, media: inner.media, history: { put: () => undefined, get: () => undefined }, rtcp: gatewayRtcp, clock, rtx: { build: buildRtx }, random: () => 0.25 });
  return { clock, inner, twcc, sender, probe: new ProbeSender(twcc, sender, clock) };
}

t.test('a cluster: padding-only packets on the RTX SSRC, numbered in the RTX sequence, paced over the plan, each with the transport-wide extension', (t) => {
  const { clock, inner, twcc, probe } = setup();
  probe.send({ cluster: 3, paddingBps: 2_000_000, durationMs: 20, bytes: 5000 });
  const first = inner.rtp.length;
  t.ok(first > 0 && first < 20, `the first turn sends its share (${first} packets)`);
  probe.send({ cluster: 4, paddingBps: 2_000_000, durationMs: 20, bytes: 5000 });
  t.equal(probe.stats.clusters, 1, 'a second plan while one is being sent is dropped');
  clock.advance(30);
  const s = probe.stats;
  t.ok(s.paddingBytes >= 5000 && s.paddingBytes < 5000 + 260, `the plan's bytes (${s.paddingBytes} in ${s.paddingPackets} packets)`);
  t.equal(inner.rtp.length, s.paddingPackets);
  for (const [i, p] of inner.rtp.entries()) {
    t.equal(p[0] & 0xf0, 0xb0, 'V=2, P and X set');
    t.equal(p[1] & 0x7f, 97, 'the RTX payload type');
    t.equal((p[8] << 24 | p[9] << 16 | p[10] << 8 | p[11]) >>> 0, 0x2222, 'the RTX SSRC');
    t.equal(p.length - p[p.length - 1], 12 + 8, 'no payload: all padding after the header and extension');
    t.equal(((p[2] << 8) | p[3]), (0x4000 + i) & 0xffff, 'the RTX sequence, one by one');
    if (i > 2) break;
  }
  t.equal(twcc.estimator.stats().probes, 0, 'no result before feedback');
  probe.send({ cluster: 5, paddingBps: 2_000_000, durationMs: 20, bytes: 1000 });
  t.equal(probe.stats.clusters, 2, 'the next cluster once the last is sent');
  t.end();
});

t.test('without RTX nothing is sent', (t) => {
  const { clock, inner, probe } = setup(false);
  probe.send({ cluster: 1, paddingBps: 2_000_000, durationMs: 20, bytes: 5000 });
  clock.advance(30);
  t.equal(inner.rtp.length, 0);
  t.equal(probe.stats.paddingPackets, 0);
  t.end();
});
