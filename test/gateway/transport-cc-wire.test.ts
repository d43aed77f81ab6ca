/**
 * The wire bytes of transport-wide CC through a real fan-out (VideoTrack -> TrackSender ->
 * TransportCcPeer): a fanned-out packet goes to every viewer with transport-wide CC from one
 * shared twin, every other packet (keyframe packets kept in the cache, retransmissions, RTX)
 * from a copy of its own. Whatever the mix, each such viewer gets exactly what the former
 * per-viewer copy made of the packet its sender handed over (the header with X set, the block
 * with its own id and its own next number, the same payload), and the viewers without it get
 * their packets untouched.
 */
import t from 'tap';
import fc from 'fast-check';
import { H264Packetizer } from '../../lib/h264/packetizer.js';
import { VideoTrack } from '../../lib/gateway/video-track.js';
import { TrackSender } from '../../lib/gateway/track-sender.js';
import { TransportCcPeer } from '../../lib/gateway/transport-cc-peer.js';
import { gatewayRtcp } from '../../lib/gateway/rtcp-adapter.js';
import { buildRtx } from '../../lib/recovery/rtx.js';
import { transportCcSize, writeTransportCc, TWCC_SMALL_DELTA } from '../../lib/rtcp/index.js';
import type { EgressHistory } from '../../lib/gateway/deps.js';
import type { MediaKind } from '../../lib/gateway/track.js';
import type { PeerMediaParams, PeerState, PeerTransportStats, WebRtcPeer } from '../../lib/gateway/transport.js';
import { FakePeer, VirtualClock } from '../support/fake-transport.js';
import { PPS, SPS } from '../support/h264-synthetic.js';

/** What the per-viewer copy made of `packet` (the former TransportCcPeer.sendRtp, kept here as the reference). */
function formerWire(packet: Uint8Array, id: number, seq: number): Uint8Array {
  const headerEnd = 12 + (packet[0] & 0x0f) * 4;
  const out = new Uint8Array(packet.length + 8);
  out.set(packet.subarray(0, headerEnd));
  out.set([0xbe, 0xde, 0, 1, (id << 4) | 1, seq >> 8, seq & 0xff, 0], headerEnd);
  out.set(packet.subarray(headerEnd), headerEnd + 8);
  out[0] |= 0x10;
  return out;
}

/** Between the sender and the peer under test: notes what the former path would have sent, and what is live. */
class Reference implements WebRtcPeer {
  readonly expected: Uint8Array[] = [];
  private next = 0;
  constructor(private readonly peer: WebRtcPeer, private readonly id: number | undefined) {}
  get answerSdp(): string {
    return this.peer.answerSdp;
  }
  get media(): PeerMediaParams {
    return this.peer.media;
  }
  get state(): PeerState {
    return this.peer.state;
  }
  get isOpen(): boolean {
    return this.peer.isOpen;
  }
  sendRtp(packet: Uint8Array, kind?: MediaKind): boolean {
    if (this.id === undefined) this.expected.push(packet.slice());
    else this.expected.push(formerWire(packet, this.id, this.next++ & 0xffff));
    return this.peer.sendRtp(packet, kind);
  }
  sendRtcp(packet: Uint8Array, kind?: MediaKind): boolean {
    return this.peer.sendRtcp(packet, kind);
  }
  transportStats(): PeerTransportStats {
    return this.peer.transportStats();
  }
  close(): void {
    this.peer.close();
  }
}

const viewerArb = fc.record({ id: fc.option(fc.integer({ min: 1, max: 14 }), { nil: undefined }), rtx: fc.boolean() });
const eventArb = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('unit' as const), key: fc.boolean(), size: fc.integer({ min: 1, max: 5000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('nack' as const), viewer: fc.nat(), back: fc.array(fc.nat({ max: 30 }), { minLength: 1, maxLength: 4 }) }) },
);

t.test('property: each viewer gets the former wire bytes: its own id and number, the same header and payload; others untouched', (t) => {
  const seen = { fannedOut: 0, withExtension: 0, rtx: 0, plain: 0 };
  fc.assert(fc.property(
    fc.array(viewerArb, { minLength: 1, maxLength: 6 }),
    fc.array(eventArb, { minLength: 1, maxLength: 30 }),
    fc.integer({ min: 300, max: 1200 }),
    fc.nat({ max: 0xffff }),
    (viewers, events, mtu, firstSeq) => {
      const clock = new VirtualClock();
      const store = new Map<number, Uint8Array>();
      const history: EgressHistory = { put: (seq, p) => void store.set(seq, p.slice()), get: (seq) => store.get(seq) };
      const track = new VideoTrack({
        packetizer: new H264Packetizer({ mtu }), history, clock, forwarding: 'frame',
        owner: { requestKeyframe: () => {}, keyframeSent: () => {} },
        keyframeCache: { maxAgeMs: 30_000, maxBytes: 8 << 20 }, keyframeOnJoin: false, timestampJumpMs: 10_000,
        firstSequenceNumber: firstSeq, firstTimestamp: 0, ssrc: 1,
      });
      const all = viewers.map((v, k) => {
        const media = { mid: '0', payloadType: 100 + k, fmtp: '', ssrc: 0x1000 + k, rtxPayloadType: 120 + k, rtxSsrc: 0x2000 + k, cname: 'c', streamId: 's', trackId: 't' };
        const wire = new FakePeer(media, { onRtcp: () => {}, onOpen: () => {}, onState: () => {} }, () => {});
        wire.open();
        const twcc = v.id === undefined ? undefined : new TransportCcPeer(wire, v.id, clock.now);
        const reference = new Reference(twcc ?? wire, v.id);
        const sender = new TrackSender({ peer: reference, media, history, rtcp: gatewayRtcp, clock, random: () => 0.5, ...(v.rtx ? { rtx: { build: buildRtx } } : {}) });
        track.addSink(sender);
        track.open(sender);
        return { v, wire, reference, sender, twcc };
      });
      track.sourceStarting();
      track.sourcePlaying({});
      for (const e of events) {
        clock.advance(33);
        if (e.kind === 'unit') {
          const slice = new Uint8Array(e.size).map((_, i) => (i * 31 + e.size) & 0xff);
          slice[0] = e.key ? 0x65 : 0x41;
          track.onAccessUnit({ nalus: e.key ? [SPS, PPS, slice] : [slice], keyframe: e.key, timestamp: clock.t * 90 });
        } else {
          const x = all[e.viewer % all.length];
          const last = x.wire.rtp.length > 0 ? (x.wire.rtp[x.wire.rtp.length - 1][2] << 8) | x.wire.rtp[x.wire.rtp.length - 1][3] : 0;
          x.sender.onNack(e.back.map((b) => (last - b) & 0xffff));
        }
      }
      for (const { v, wire, reference, twcc } of all) {
        // Every packet sent is in the estimator's send history (fan-out runs included): feedback for all of them knows each.
        const n = Math.min(wire.rtp.length, 4096);
        if (twcc && n > 0) {
          const fb = { senderSsrc: 1, mediaSsrc: 2, baseSeq: (wire.rtp.length - n) & 0xffff, referenceTime: 0, feedbackCount: 0, statuses: new Uint8Array(n).fill(TWCC_SMALL_DELTA), deltas: new Int32Array(n).fill(4) };
          const buf = new Uint8Array(transportCcSize(fb));
          writeTransportCc(fb, buf, 0);
          twcc.onRtcp(buf);
          const st = twcc.stats();
          if (st.feedbacks !== 1 || st.unknownPackets !== 0) throw new Error(`feedback for every packet sent: ${JSON.stringify(st)}`);
        }
        if (wire.rtp.length !== reference.expected.length) throw new Error(`viewer got ${wire.rtp.length} packets, the sender handed ${reference.expected.length}`);
        wire.rtp.forEach((got, i) => {
          const want = reference.expected[i];
          if (got.length !== want.length || got.some((b, k) => b !== want[k])) throw new Error(`viewer ${JSON.stringify(v)}, packet ${i}: ${Buffer.from(got).toString('hex', 0, 24)} != ${Buffer.from(want).toString('hex', 0, 24)}`);
          const ssrc = ((got[8] << 24) | (got[9] << 16) | (got[10] << 8) | got[11]) >>> 0;
          if (v.id === undefined) seen.plain++;
          else if (ssrc >= 0x2000) seen.rtx++;
          else seen.withExtension++;
        });
        // Live packets carry the track's payload: what the history kept for the same egress packet.
        const live = wire.rtp.filter((p) => p[8] === 0 && p[9] === 0 && p[10] === 0x10);
        for (const p of live) {
          const headerEnd = 12 + (p[0] & 0x10 ? 8 : 0);
          const found = [...store.values()].some((s) => s.length === p.length - headerEnd + 12 && s.subarray(12).every((b, k) => b === p[headerEnd + k]));
          if (!found) throw new Error('a live packet\'s payload is not any the track sent');
        }
      }
      seen.fannedOut += track.stats().packetsOut;
      return true;
    },
  ), { numRuns: 150 });
  t.ok(seen.withExtension > 0 && seen.rtx > 0 && seen.plain > 0, `packets with the extension, RTX with it, and without it were all checked (${JSON.stringify(seen)})`);
  t.end();
});
