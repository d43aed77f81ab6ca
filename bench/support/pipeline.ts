/**
 * The whole camera-to-viewer path of camwire without I/O, as the gateway runs it: parseRtp ->
 * the gateway's CameraLeg (dropIncomplete; RecoveringReceiver: reorder + NACK bookkeeping, no
 * startup hold, i.e. jitter buffer off; H264Depacketizer) -> gateway Stream (H.264 packetizer,
 * retransmission history, keyframe cache; or, with packet forwarding, the refragmenter on each
 * packet) -> one gateway Viewer per viewer
 * (sequence/timestamp/SSRC/PT rewrite) -> a transport that drops the packet.
 */
import { parseRtp } from '../../lib/rtp/packet.js';
import { CameraLeg } from '../../lib/ingest/camera-leg.js';
import { PolledTimers } from '../../test/support/polled-clock.js';
import { udpSession } from '../../test/support/camera-sim.js';
import type { Clock } from '../../lib/clock.js';
import type { AccessUnit } from '../../lib/gateway/source.js';
import { Stream } from '../../lib/gateway/stream.js';
import type { GatewayDeps } from '../../lib/gateway/deps.js';
import type { VideoSource } from '../../lib/gateway/source.js';
import { CHROMIUM_OFFER } from '../../test/support/offers.js';
import { NullTransport, type NullPeer } from './null-transport.js';
import { benchDeps } from './gateway-deps.js';

/** A source that is fed from outside (the bench pushes access units into the Stream). */
const externalSource: VideoSource = {
  start() {},
  stop() {},
  requestKeyframe() {},
  info: () => ({ profileLevelId: '4d0029', width: 1920, height: 1080 }),
  stats: () => ({}),
};

export class VirtualTime extends PolledTimers {
  t = 0;
  constructor() {
    super(() => this.t, () => 1_700_000_000_000 + this.t);
  }
}

export class CameraToViewers {
  readonly camera: CameraLeg;
  private readonly clock: PolledTimers;
  readonly stream: Stream;
  readonly transport = new NullTransport();
  accessUnits = 0;

  constructor(readonly time: Clock, deps: GatewayDeps = benchDeps(), forwarding: 'frame' | 'packet' = 'frame') {
    this.clock = new PolledTimers(() => time.now());
    // The camera itself is not simulated: NACKs and keyframe requests go nowhere.
    this.camera = new CameraLeg({
      clock: this.clock, upstream: { sendNack: () => true, requestKeyframe: () => true }, onAccessUnit: (au) => this.onAccessUnit(au),
      onPacket: forwarding === 'packet' ? (p) => this.stream.onPacket(p) : undefined,
      recovery: { reorder: { startupHold: false } }, dropIncomplete: true,
      depacketizer: { transientUnits: true }, // as the gateway's RtspSource sets it
    });
    this.stream = new Stream('bench', externalSource, this.transport, { ...deps, clock: time }, { onDemand: false, maxViewers: 100_000, forwarding });
    const { info, track } = udpSession();
    this.camera.start(info, track);
  }

  async addViewers(n: number): Promise<void> {
    for (let i = 0; i < n; i++) await this.stream.addViewer(CHROMIUM_OFFER);
  }

  get peers(): NullPeer[] {
    return this.transport.peers;
  }

  /** One packet from the camera, arriving at `now` (ms; the leg reads it from `time`, which must agree). */
  push(buf: Uint8Array, _now: number): void {
    this.camera.onRtp(parseRtp(buf));
    this.clock.runDue();
  }

  private onAccessUnit(au: AccessUnit): void {
    this.accessUnits++;
    this.stream.onAccessUnit(au);
  }
}
