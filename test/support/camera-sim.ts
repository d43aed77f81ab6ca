/** A camera's packets through a netsim link into the gateway's CameraLeg (`dropIncomplete`), on virtual time (NACKed packets resent over the same link). */
import { H264Packetizer } from '../../lib/h264/index.js';
import { parseRtp, type RtpPacket } from '../../lib/rtp/index.js';
import { Link, modelsFromProfile, type LinkProfile } from '../../lib/netsim/index.js';
import { CameraLeg } from '../../lib/ingest/camera-leg.js';
import type { RtspSessionInfo, RtspTrack } from '../../lib/rtsp/client/types.js';
import type { AccessUnit } from '../../lib/gateway/source.js';
import { PolledTimers } from './polled-clock.js';

/** A camera's frames: SPS+PPS+IDR every `gop` frames, P frames between, each with a recognisable body. */
export function frames(count: number, gop: number, sizes: number[]): AccessUnit[] {
  const out: AccessUnit[] = [];
  for (let i = 0; i < count; i++) {
    const key = i % gop === 0;
    const body = new Uint8Array(sizes[i % sizes.length]).map((_, k) => (i * 7 + k) & 0xff);
    body[0] = key ? 0x65 : 0x41;
    const nalus = key ? [new Uint8Array([0x67, 0x42, 0xe0, 0x1f, 0x96]), new Uint8Array([0x68, 0xce, 0x38, 0x80]), body] : [body];
    out.push({ nalus, timestamp: (1000 + i * 3000) >>> 0, keyframe: key });
  }
  return out;
}

export function key(au: { nalus: readonly Uint8Array[] }): string {
  return au.nalus.map((n) => Buffer.from(n).toString('hex')).join('|');
}

/** A UDP session with one H.264 track (PT 96, no sprop-parameter-sets, no RTP-Info). */
export function udpSession(): { info: RtspSessionInfo; track: RtspTrack } {
  const track = { index: 0, codec: 'H264', payloadType: 96, clockRate: 90000, control: 'x', sdp: { formats: [] } } as unknown as RtspTrack;
  return { info: { transport: 'udp', tracks: [track], rtpInfo: [] } as unknown as RtspSessionInfo, track };
}

export interface Run {
  emitted: AccessUnit[];
  index: Map<number, number>;
  original: AccessUnit[];
  leg: CameraLeg;
  keyframeRequests: number;
}

/** Camera -> lossy link -> leg on virtual time (1 ms steps); NACKed packets are resent over the same link. */
export function run(profile: LinkProfile, seed: number, count: number, gop: number, sizes: number[], nack: boolean): Run {
  const original = frames(count, gop, sizes);
  const pz = new H264Packetizer({ sequenceNumber: 65500 });
  const sent = new Map<number, Uint8Array>();
  const schedule: { at: number; pkt: Uint8Array }[] = [];
  original.forEach((au, i) => {
    for (const p of pz.packetize(au.nalus, au.timestamp)) {
      sent.set((p[2] << 8) | p[3], p);
      schedule.push({ at: i * 33, pkt: p });
    }
  });
  const emitted: AccessUnit[] = [];
  let now = 0;
  let keyframeRequests = 0;
  const clock = new PolledTimers(() => now);
  const link = new Link<Uint8Array>(modelsFromProfile(profile, seed));
  const leg = new CameraLeg({
    clock,
    upstream: {
      sendNack(_track, seqs) {
        for (const s of seqs) {
          const p = sent.get(s);
          if (p) link.send(p, p.length, now);
        }
        return true;
      },
      requestKeyframe: () => (keyframeRequests++, true),
    },
    onAccessUnit: (au) => emitted.push({ nalus: au.nalus.map((n) => Uint8Array.from(n)), timestamp: au.timestamp, keyframe: au.keyframe }),
    nack,
    dropIncomplete: true,
  });
  const { info, track } = udpSession();
  leg.start(info, track);
  let next = 0;
  const end = count * 33 + 3000;
  for (; now <= end; now++) {
    while (next < schedule.length && schedule[next].at <= now) link.send(schedule[next].pkt, schedule[next++].pkt.length, now);
    link.deliver(now, (data) => leg.onRtp(parseRtp(data) as RtpPacket));
    clock.runDue();
  }
  const index = new Map(original.map((au, i) => [au.timestamp, i]));
  return { emitted, index, original, leg, keyframeRequests };
}
