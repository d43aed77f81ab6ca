/**
 * Packet forwarding (cut-through) in the Stream: camera packets go out one by one, yet no
 * viewer ever gets a unit marked complete that the camera did not send whole, and after a
 * missing packet nothing goes out until an IDR.
 */
import t from 'tap';
import fc from 'fast-check';
import { parseRtp, type RtpPacket } from '../../lib/rtp/index.js';
import { seqDistance } from '../../lib/rtp/seq.js';
import { H264Packetizer } from '../../lib/h264/packetizer.js';
import { H264Depacketizer, type AccessUnit as DepacketizedUnit } from '../../lib/h264/depacketizer.js';
import { Stream } from '../../lib/gateway/stream.js';
import type { SourceInfo, SourceSink, VideoSource } from '../../lib/gateway/source.js';
import { FakeTransport, VirtualClock, type FakePeer } from '../support/fake-transport.js';
import { createDeps } from '../../lib/gateway/wiring.js';
import { CHROMIUM_OFFER } from '../support/offers.js';
import { PPS, SPS } from '../support/h264-synthetic.js';

/** A camera as the RTSP source presents it in packet forwarding: each packet, then its unit. */
class PacketCamera implements VideoSource {
  sink: SourceSink | undefined;
  keyframeRequests = 0;
  readonly pz: H264Packetizer;
  ts = 0xffff0000;
  /** Each unit sent: camera timestamp -> NAL units as hex. */
  readonly sent = new Map<number, string[]>();

  constructor(mtu = 1400, seq0 = 65500) {
    this.pz = new H264Packetizer({ mtu, sequenceNumber: seq0, insertParameterSets: false });
  }
  start(sink: SourceSink): void {
    this.sink = sink;
    sink.onState('playing');
  }
  stop(): void {
    this.sink = undefined;
  }
  requestKeyframe(): void {
    this.keyframeRequests++;
  }
  info(): SourceInfo {
    return { profileLevelId: '42e01f' };
  }
  stats() {
    return {};
  }
  /** The packets of one unit (not yet delivered). */
  unit(keyframe: boolean, size: number, slices = 1): RtpPacket[] {
    const nalus: Uint8Array[] = keyframe ? [SPS, PPS] : [];
    for (let s = 0; s < slices; s++) {
      const slice = new Uint8Array(size).map((_, i) => (i * 7 + s) & 0xff | 1);
      slice[0] = keyframe ? 0x65 : 0x41;
      nalus.push(slice);
    }
    const ts = this.ts;
    this.ts = (this.ts + 3000) >>> 0;
    this.sent.set(ts, nalus.map(hex));
    return this.pz.packetize(nalus, ts).map((b) => parseRtp(b));
  }
  deliver(packets: readonly RtpPacket[]): void {
    for (const p of packets) this.sink?.onPacket?.(p);
  }
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const tick = () => new Promise((r) => setImmediate(r));

function setup(mtu = 1400, keyframeCacheMaxBytes?: number) {
  const clock = new VirtualClock();
  const transport = new FakeTransport();
  const camera = new PacketCamera(mtu);
  const stream = new Stream('cam', camera, transport, createDeps({}, { clock }), { forwarding: 'packet', onDemand: false, keyframeCacheMaxBytes });
  return { clock, transport, camera, stream };
}

/** What a viewer's browser would assemble: units by timestamp, marked complete only when whole and marked. */
function received(peer: FakePeer): { units: DepacketizedUnit[]; packets: RtpPacket[] } {
  const packets = peer.rtp.map(parseRtp);
  const units: DepacketizedUnit[] = [];
  const d = new H264Depacketizer((u) => units.push(u), { firstSequenceNumber: packets[0]?.sequenceNumber });
  for (const p of packets) d.push(p);
  d.flush();
  return { units, packets };
}

t.test('each camera packet goes out as it arrives, and the viewer gets the camera\'s units whole', async (t) => {
  const { transport, camera, stream } = setup();
  await stream.addViewer(CHROMIUM_OFFER);
  await tick();
  const peer = transport.peers[0] as FakePeer;
  const idr = camera.unit(true, 20_000);
  camera.deliver(idr.slice(0, 3));
  t.ok(peer.rtp.length >= 2, 'the keyframe\'s first packets are out before the rest arrived');
  camera.deliver(idr.slice(3));
  for (let i = 0; i < 5; i++) camera.deliver(camera.unit(false, 3000));
  const { units, packets } = received(peer);
  t.equal(units.length, 6);
  t.ok(units.every((u) => u.complete));
  t.ok(packets.every((p) => p.payload.length + 12 <= 1200), 'egress MTU kept');
  t.equal(packets.filter((p) => p.marker).length, 6, 'one marker per unit');
  const camTs = [...camera.sent.keys()];
  units.forEach((u, i) => t.same(u.nalus.map(hex), camera.sent.get(camTs[i])));
  t.equal(stream.stats().keyframes, 1);
  t.equal(stream.stats().accessUnits, 6);
});

t.test('a viewer whose media opens mid-unit starts at the next unit, from the keyframe cache', async (t) => {
  const { transport, camera, stream } = setup();
  await stream.addViewer(CHROMIUM_OFFER);
  await tick();
  camera.deliver(camera.unit(true, 8000));
  const p = camera.unit(false, 5000);
  camera.deliver(p.slice(0, 2));
  transport.autoOpen = false;
  const late = await stream.addViewer(CHROMIUM_OFFER);
  (transport.peers[1] as FakePeer).open();
  t.equal(late.state, 'connecting', 'not mid-unit');
  camera.deliver(p.slice(2));
  camera.deliver(camera.unit(false, 3000));
  t.equal(late.state, 'playing');
  const { units, packets } = received(transport.peers[1] as FakePeer);
  for (let i = 1; i < packets.length; i++) t.equal(seqDistance(packets[i - 1].sequenceNumber, packets[i].sequenceNumber), 1);
  t.same(units.map((u) => [u.keyframe, u.complete]), [[true, true], [false, true]], 'the cached keyframe, then the next unit whole');
});

t.test('a viewer that opens just before a keyframe unit starts on it live', async (t) => {
  const { transport, camera, stream } = setup();
  await stream.addViewer(CHROMIUM_OFFER);
  await tick();
  camera.deliver(camera.unit(true, 4000));
  const p = camera.unit(false, 5000);
  camera.deliver(p.slice(0, 1));
  transport.autoOpen = false;
  const late = await stream.addViewer(CHROMIUM_OFFER);
  (transport.peers[1] as FakePeer).open();
  camera.deliver(p.slice(1));
  camera.deliver(camera.unit(true, 4000));
  t.equal(late.state, 'playing');
  t.equal(late.stats().keyframeCacheStarts, 0, 'no cache start: the live keyframe was next');
  const { units } = received(transport.peers[1] as FakePeer);
  t.same(units.map((u) => u.keyframe), [true]);
});

t.test('a missing packet: the unit is abandoned without a marker, nothing goes out until an IDR, and one is requested', async (t) => {
  const { clock, transport, camera, stream } = setup();
  await stream.addViewer(CHROMIUM_OFFER);
  await tick();
  camera.deliver(camera.unit(true, 4000));
  const before = camera.keyframeRequests;
  clock.advance(2000);
  const broken = camera.unit(false, 6000);
  camera.deliver(broken.filter((_, i) => i !== 2));
  camera.deliver(camera.unit(false, 3000));
  t.ok(camera.keyframeRequests > before, 'keyframe requested');
  const sentBefore = (transport.peers[0] as FakePeer).rtp.length;
  camera.deliver(camera.unit(false, 3000));
  t.equal((transport.peers[0] as FakePeer).rtp.length, sentBefore, 'P frames after the loss are held back');
  camera.deliver(camera.unit(true, 4000));
  const { units, packets } = received(transport.peers[0] as FakePeer);
  t.same(units.filter((u) => u.complete && packets.some((p) => p.marker && p.timestamp === u.timestamp)).map((u) => u.keyframe), [true, true], 'only the two keyframes end with a marker');
  t.equal(stream.stats().cutThrough.gaps, 1);
  for (let i = 1; i < packets.length; i++) t.equal(seqDistance(packets[i - 1].sequenceNumber, packets[i].sequenceNumber), 1, 'no gap in what the viewer got');
});

t.test('late and duplicate packets are dropped; a camera that restarts its sequence is a new start', async (t) => {
  const { transport, camera, stream } = setup();
  await stream.addViewer(CHROMIUM_OFFER);
  await tick();
  const k = camera.unit(true, 4000);
  camera.deliver(k);
  camera.deliver([k[1], k[k.length - 1]]);
  t.equal(stream.stats().cutThrough.late, 2);
  camera.pz.sequenceNumber = 1000;
  camera.deliver(camera.unit(true, 4000));
  const { units } = received(transport.peers[0] as FakePeer);
  t.equal(units.length, 2, 'the restarted camera\'s keyframe went out');
});

t.test('under loss, duplication and reordering (no reorder buffer), with and without camera markers, no viewer gets a marked unit the camera did not send whole', async (t) => {
  const action = fc.constantFrom('keep', 'keep', 'keep', 'keep', 'keep', 'keep', 'drop', 'dup', 'swap');
  await fc.assert(fc.asyncProperty(
    fc.array(fc.record({ key: fc.boolean(), size: fc.integer({ min: 10, max: 9000 }), slices: fc.integer({ min: 1, max: 3 }) }), { minLength: 1, maxLength: 25 }),
    fc.array(action, { minLength: 1, maxLength: 64 }),
    fc.integer({ min: 100, max: 3000 }),
    fc.boolean(),
    async (units, actions, mtu, markers) => {
      const { transport, camera, stream } = setup(mtu);
      await stream.addViewer(CHROMIUM_OFFER);
      await tick();
      const all: RtpPacket[] = [];
      // without markers (some cameras) the refragmenter lags one packet behind
      for (const u of units) all.push(...camera.unit(u.key, u.size, u.slices).map((p) => (markers ? p : { ...p, marker: false })));
      const wire: RtpPacket[] = [];
      for (let i = 0; i < all.length; i++) {
        // the first packet arrives: a loss before it has nothing to be seen against
        const a = i === 0 ? 'keep' : actions[i % actions.length];
        if (a === 'drop') continue;
        if (a === 'swap' && i + 1 < all.length) {
          wire.push(all[i + 1], all[i]);
          i++;
          continue;
        }
        wire.push(all[i]);
        if (a === 'dup') wire.push(all[i]);
      }
      camera.deliver(wire);
      const peer = transport.peers[0] as FakePeer;
      if (peer.rtp.length === 0) return;
      const { units: got, packets } = received(peer);
      for (let i = 1; i < packets.length; i++) {
        if (seqDistance(packets[i - 1].sequenceNumber, packets[i].sequenceNumber) !== 1) throw new Error('a gap in what the viewer got');
      }
      const marked = new Set(packets.filter((p) => p.marker).map((p) => p.timestamp));
      const cameraUnits = new Set([...camera.sent.values()].map((v) => JSON.stringify(v)));
      for (const u of got) {
        if (!marked.has(u.timestamp)) continue;
        // a marked unit must be one the camera sent, exactly
        if (!u.complete) throw new Error(`marked unit ${u.timestamp} incomplete`);
        if (!cameraUnits.has(JSON.stringify(u.nalus.map(hex)))) throw new Error(`marked unit ${u.timestamp} is not a camera unit: ${u.nalus.map((n) => `${n[0].toString(16)}/${n.length}`).join(' ')}`);
      }
      // the first marked unit is a keyframe, and so is the first after every abandoned one
      let needKey = true;
      for (const u of got) {
        if (!marked.has(u.timestamp)) { needKey = true; continue; }
        if (needKey && !u.keyframe) throw new Error('after a break the first unit a viewer can finish must be an IDR');
        needKey = false;
      }
    },
  ), { numRuns: 120 });
});

t.test('with no keyframe cached a viewer opening mid-stream waits for the next IDR at once, and one is requested', async (t) => {
  const { transport, camera, stream } = setup();
  camera.deliver(camera.unit(false, 3000)); // a P frame: packets seen, nothing cacheable
  const before = camera.keyframeRequests;
  const v = await stream.addViewer(CHROMIUM_OFFER);
  await tick();
  t.equal(v.state, 'waiting-keyframe');
  t.ok(camera.keyframeRequests > before, 'keyframe requested');
  camera.deliver(camera.unit(false, 3000));
  t.equal((transport.peers[0] as FakePeer).rtp.length, 0);
  camera.deliver(camera.unit(true, 3000));
  t.equal(v.state, 'playing');
  t.same(received(transport.peers[0] as FakePeer).units.map((u) => u.keyframe), [true]);
});

t.test('a keyframe unit over keyframeCacheMaxBytes goes out but is not cached', async (t) => {
  const { transport, camera, stream } = setup(1400, 65_536);
  await stream.addViewer(CHROMIUM_OFFER);
  await tick();
  camera.deliver(camera.unit(true, 40_000));
  t.ok(stream.stats().keyframeCachePackets > 0, 'a 40 KB keyframe is cached');
  camera.deliver(camera.unit(true, 100_000));
  t.equal(stream.stats().keyframeCachePackets, 0, 'a 100 KB one is not (the older one is no longer current either)');
  const { units } = received(transport.peers[0] as FakePeer);
  t.same(units.map((u) => [u.keyframe, u.complete]), [[true, true], [true, true]], 'both went out whole');
});
