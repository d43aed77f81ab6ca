/** A camera's packets through a netsim link into a CameraPipeline, on virtual time (NACKed packets resent over the same link). */
import { H264Packetizer } from '../../lib/h264/index.js';
import { parseRtp, type RtpPacket } from '../../lib/rtp/index.js';
import { Link, modelsFromProfile, type LinkProfile } from '../../lib/netsim/index.js';
import { CameraPipeline } from '../../lib/gateway/camera-pipeline.js';
import type { AccessUnit } from '../../lib/gateway/source.js';

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

export interface Run {
  emitted: AccessUnit[];
  index: Map<number, number>;
  original: AccessUnit[];
  pipeline: CameraPipeline;
  keyframeRequests: number;
}

/** Camera -> lossy link -> pipeline on virtual time; NACKed packets are resent over the same link. */
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
  const pipeline = new CameraPipeline((au) => emitted.push({ ...au, nalus: au.nalus.map((n) => Uint8Array.from(n)) }), {
    reorder: true,
    receiver: { nack: nack ? {} : false },
  });
  const link = new Link<Uint8Array>(modelsFromProfile(profile, seed));
  let keyframeRequests = 0;
  let next = 0;
  const end = count * 33 + 3000;
  for (let now = 0; now <= end; now++) {
    while (next < schedule.length && schedule[next].at <= now) link.send(schedule[next].pkt, schedule[next++].pkt.length, now);
    link.deliver(now, (data) => pipeline.push(parseRtp(data) as RtpPacket, now));
    if (pipeline.nextDeadline() <= now) {
      const req = pipeline.poll(now);
      if (req.keyframe) keyframeRequests++;
      for (const s of req.nack) {
        const p = sent.get(s);
        if (p) link.send(p, p.length, now);
      }
    }
  }
  const index = new Map(original.map((au, i) => [au.timestamp, i]));
  return { emitted, index, original, pipeline, keyframeRequests };
}

