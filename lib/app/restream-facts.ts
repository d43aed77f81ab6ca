/**
 * What the restream's DESCRIBE announces of a stream: its codec and parameter sets (H.264:
 * SPS/PPS; H.265: VPS/SPS/PPS), from the camera's SDP (sprop-*) or, for cameras that send
 * them only in-band, from the cached keyframe's egress packets.
 */
import type { CachedKeyframe } from '../gateway/keyframe-cache.js';
import type { SourceInfo, VideoCodec } from '../gateway/source.js';
import { NalType, nalType } from '../h264/nal.js';
import { H265NalType, h265NalType } from '../h265/nal.js';
import type { MountFacts } from '../rtsp/server/mount.js';
import { parseRtp } from '../rtp/packet.js';

/** What the source sends: from its SDP, else from the cached keyframe; undefined while neither tells. */
export function factsOf(info: SourceInfo, keyframe: CachedKeyframe | undefined): MountFacts | undefined {
  const codec = info.codec ?? 'h264';
  const from = codec === 'h265' ? h265FactsIn : h264FactsIn;
  return from(info.parameterSets ?? []) ?? (keyframe ? from(parameterSetsIn(keyframe, codec)) : undefined);
}

/** SPS and PPS from NAL units (an SPS needs its 3 profile/level bytes for the SDP). */
function h264FactsIn(nalus: readonly Uint8Array[]): MountFacts | undefined {
  const sps = nalus.find((n) => n.length > 3 && nalType(n[0]) === NalType.Sps);
  const pps = nalus.find((n) => n.length > 1 && nalType(n[0]) === NalType.Pps);
  return sps && pps ? { sps, pps } : undefined;
}

/** VPS, SPS and PPS from NAL units (each longer than its two-byte header). */
function h265FactsIn(nalus: readonly Uint8Array[]): MountFacts | undefined {
  const find = (type: number) => nalus.find((n) => n.length > 2 && h265NalType(n[0]) === type);
  const vps = find(H265NalType.Vps);
  const sps = find(H265NalType.Sps);
  const pps = find(H265NalType.Pps);
  return vps && sps && pps ? { codec: 'h265', vps, sps, pps } : undefined;
}

/**
 * The parameter-set NAL units (copies) of a keyframe's egress packets: single NAL units or
 * aggregates (H.264 STAP-A, RFC 6184 5.7.1; H.265 AP without DONL, RFC 7798 4.4.2, as
 * camwire's packetizer writes them).
 */
export function parameterSetsIn(keyframe: CachedKeyframe, codec: VideoCodec = 'h264'): Uint8Array[] {
  const h265 = codec === 'h265';
  const typeOf = h265 ? h265NalType : nalType;
  const aggregate = h265 ? H265NalType.Ap : NalType.StapA;
  const headerBytes = h265 ? 2 : 1;
  const out: Uint8Array[] = [];
  const keep = (n: Uint8Array) => {
    const type = typeOf(n[0]);
    const wanted = h265 ? type >= H265NalType.Vps && type <= H265NalType.Pps : type === NalType.Sps || type === NalType.Pps;
    if (wanted) out.push(n.slice());
  };
  for (const packet of keyframe.packets) {
    let payload: Uint8Array;
    try {
      payload = parseRtp(packet).payload;
    } catch {
      continue;
    }
    if (payload.length < headerBytes) continue;
    if (typeOf(payload[0]) !== aggregate) {
      keep(payload);
      continue;
    }
    // 16-bit size, NAL unit, repeated; a size past the end stops it
    for (let i = headerBytes; i + 2 < payload.length; ) {
      const size = (payload[i] << 8) | payload[i + 1];
      if (size === 0 || i + 2 + size > payload.length) break;
      keep(payload.subarray(i + 2, i + 2 + size));
      i += 2 + size;
    }
  }
  return out;
}
