/**
 * A video track driven directly: whatever the forwarding, camera restarts and what the network
 * did to the camera's packets, the track's egress sequence (what the history stores, what each
 * viewer gets) never skips or repeats, through the 65535 wrap, and its timestamps never go back.
 */
import t from 'tap';
import fc from 'fast-check';
import { parseRtp, type RtpPacket } from '../../lib/rtp/index.js';
import { seqDistance, tsDistance } from '../../lib/rtp/seq.js';
import { H264Packetizer } from '../../lib/h264/packetizer.js';
import { VideoTrack } from '../../lib/gateway/video-track.js';
import { TrackSender } from '../../lib/gateway/track-sender.js';
import { gatewayRtcp } from '../../lib/gateway/rtcp-adapter.js';
import type { EgressHistory } from '../../lib/gateway/deps.js';
import { FakePeer, VirtualClock } from '../support/fake-transport.js';
import { PPS, SPS } from '../support/h264-synthetic.js';

interface Put { seq: number; stamped: number; ts: number }

function setup(forwarding: 'frame' | 'packet', firstSequenceNumber: number) {
  const clock = new VirtualClock();
  const puts: Put[] = [];
  const store = new Map<number, Uint8Array>();
  const history: EgressHistory = {
    put(seq, p) {
      puts.push({ seq, stamped: (p[2] << 8) | p[3], ts: ((p[4] << 24) | (p[5] << 16) | (p[6] << 8) | p[7]) >>> 0 });
      store.set(seq, p.slice());
    },
    get: (seq) => store.get(seq),
  };
  let keyframeRequests = 0;
  const track = new VideoTrack({
    packetizer: new H264Packetizer({ mtu: 1200 }), history, clock, forwarding,
    owner: { requestKeyframe: () => keyframeRequests++, keyframeSent: () => {} },
    keyframeCache: { maxAgeMs: 30_000, maxBytes: 8 << 20 }, keyframeOnJoin: true, timestampJumpMs: 10_000,
    firstSequenceNumber, firstTimestamp: 0xfffff000, ssrc: 1,
  });
  const peers: FakePeer[] = [];
  const join = () => {
    const peer = new FakePeer(
      { mid: '0', payloadType: 108, fmtp: '', ssrc: 0x1000 + peers.length, cname: 'c', streamId: 's', trackId: 't' },
      { onRtcp: () => {}, onOpen: () => {}, onState: () => {} },
      () => {},
    );
    peer.open();
    peers.push(peer);
    const s = new TrackSender({ peer, media: peer.media, history, rtcp: gatewayRtcp, clock, random: Math.random });
    track.addSink(s);
    track.open(s);
  };
  return { clock, track, puts, peers, join, keyframeRequests: () => keyframeRequests };
}

/** A camera: its own sequence and timestamp base, restarted at will. */
class Camera {
  private pz = new H264Packetizer({ mtu: 1400, insertParameterSets: false });
  ts = 0;
  constructor(seq: number, ts: number) {
    this.restart(seq, ts);
  }
  restart(seq: number, ts: number): void {
    this.pz = new H264Packetizer({ mtu: 1400, insertParameterSets: false, sequenceNumber: seq });
    this.ts = ts >>> 0;
  }
  unit(keyframe: boolean, size: number): { nalus: Uint8Array[]; packets: RtpPacket[]; timestamp: number } {
    const slice = new Uint8Array(size).map((_, i) => ((i * 13) & 0xff) | 1);
    slice[0] = keyframe ? 0x65 : 0x41;
    const nalus = keyframe ? [SPS, PPS, slice] : [slice];
    const timestamp = this.ts;
    this.ts = (this.ts + 3000) >>> 0;
    return { nalus, timestamp, packets: this.pz.packetize(nalus, timestamp).map((b) => parseRtp(b)) };
  }
}

const unitArb = fc.record({ key: fc.boolean(), size: fc.integer({ min: 10, max: 12_000 }) });
const eventArb = fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('unit' as const), unit: unitArb, dt: fc.integer({ min: 0, max: 80 }) }) },
  // a camera restart: new sequence, new timestamp base; packet forwarding's source may then give only whole units
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const), seq: fc.nat({ max: 0xffff }), ts: fc.nat({ max: 0xffffffff }), unitsOnly: fc.boolean(), dt: fc.integer({ min: 0, max: 3000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('join' as const), dt: fc.integer({ min: 0, max: 80 }) }) },
);
const action = fc.constantFrom('keep', 'keep', 'keep', 'keep', 'keep', 'keep', 'drop', 'dup', 'swap');

t.test('one egress sequence, whatever the forwarding, restarts, loss, duplication and reordering; through the wrap; timestamps never go back', async (t) => {
  const seen = { wraps: 0, restarts: 0, lateJoins: 0 };
  fc.assert(fc.property(
    fc.constantFrom('frame' as const, 'packet' as const),
    fc.integer({ min: 65_300, max: 65_535 }),
    fc.array(eventArb, { minLength: 1, maxLength: 40, size: 'max' }),
    fc.array(action, { minLength: 1, maxLength: 50 }),
    (forwarding, first, events, actions) => {
      const { clock, track, puts, peers, join } = setup(forwarding, first);
      const camera = new Camera(65_000, 0xffff0000);
      let unitsOnly = forwarding === 'frame';
      let a = 0;
      join();
      track.sourceStarting();
      track.sourcePlaying({});
      for (const e of events) {
        clock.advance(e.dt);
        if (e.kind === 'join') join();
        else if (e.kind === 'restart') {
          track.sourceGone();
          camera.restart(e.seq, e.ts);
          track.sourcePlaying({});
          unitsOnly = forwarding === 'frame' || e.unitsOnly;
        } else {
          const u = camera.unit(e.unit.key, e.unit.size);
          if (unitsOnly) {
            track.onAccessUnit({ nalus: u.nalus, timestamp: u.timestamp, keyframe: e.unit.key });
            continue;
          }
          const p = u.packets;
          for (let i = 0; i < p.length; i++) {
            const act = actions[a++ % actions.length];
            if (act === 'drop') continue;
            if (act === 'swap' && i + 1 < p.length) {
              track.onPacket(p[i + 1]);
              track.onPacket(p[i]);
              i++;
              continue;
            }
            track.onPacket(p[i]);
            if (act === 'dup') track.onPacket(p[i]);
          }
        }
      }
      if (puts.length > 0 && puts[puts.length - 1].seq < first) seen.wraps++;
      if (events.some((e) => e.kind === 'restart')) seen.restarts++;
      if (events.some((e) => e.kind === 'join')) seen.lateJoins++;
      for (let i = 0; i < puts.length; i++) {
        const expected = (first + i) & 0xffff;
        if (puts[i].seq !== expected || puts[i].stamped !== expected) throw new Error(`packet ${i}: seq ${puts[i].seq} (stamped ${puts[i].stamped}), expected ${expected}`);
        if (i > 0 && tsDistance(puts[i - 1].ts, puts[i].ts) < 0) throw new Error(`packet ${i}: timestamp went back`);
      }
      for (const peer of peers) {
        const got = peer.rtp.map((b) => parseRtp(b));
        for (let i = 1; i < got.length; i++) {
          if (seqDistance(got[i - 1].sequenceNumber, got[i].sequenceNumber) !== 1) throw new Error('a viewer saw a gap or a repeat');
          if (tsDistance(got[i - 1].timestamp, got[i].timestamp) < 0) throw new Error('a viewer saw time go back');
        }
      }
    },
  ), { numRuns: 150 });
  t.ok(seen.wraps > 0 && seen.restarts > 0 && seen.lateJoins > 0, `runs through the wrap, with restarts, with late joins: ${JSON.stringify(seen)}`);
});

t.test('packet forwarding: the keyframe cache takes a unit only when it went out whole', async (t) => {
  const { track, puts } = setup('packet', 100);
  const camera = new Camera(1, 90_000);
  track.sourceStarting();
  track.sourcePlaying({});
  const k = camera.unit(true, 9000);
  for (const p of k.packets) track.onPacket(p);
  const cached = track.keyframes.usable(0)!;
  t.equal(cached.packets.length, puts.length, 'the whole keyframe');
  t.equal(cached.firstSeq, 100);
  const broken = camera.unit(true, 9000);
  for (const p of broken.packets.filter((_, i) => i !== 3)) track.onPacket(p);
  t.equal(track.keyframes.usable(0), cached, 'a keyframe that lost a packet replaces nothing');
  track.sourceGone();
  t.equal(track.keyframes.usable(0), undefined, 'a source that went away leaves nothing cached');
});
