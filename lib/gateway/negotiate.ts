/**
 * Picks what to answer a browser's offer with: the video mid, the format of the camera's codec
 * (H.264: the one whose profile matches, packetization-mode=1 only since camwire sends FU-A and
 * STAP-A; H.265: the first H265/90000 offered, which only some browsers have), and the RTX
 * format tied to it.
 */
import { findH264PayloadTypes, findH265PayloadTypes, getMid, parseSdp, type H264PayloadType, type H265PayloadType } from '../sdp/index.js';
import type { NegotiatedVideo } from './deps.js';
import { GatewayError } from './errors.js';
import type { SourceInfo } from './source.js';

export interface OfferedVideo {
  mid: string;
  /** In the offer's preference order. */
  h264: H264PayloadType[];
  h265?: H265PayloadType[];
}

/** Chromium decodes any H.264 profile sent under this one (TESTING.md), so it is the fallback. */
export const FALLBACK_PROFILE_LEVEL_ID = '42e01f';

/** Parses a browser offer (bounded by `maxSize`, default 64 KiB) and chooses the video format. */
export function negotiateOffer(offerSdp: string, source: SourceInfo, wantRtx: boolean, maxSize?: number): NegotiatedVideo {
  const desc = parseSdp(offerSdp, { maxSize });
  const media = desc.media.find((m) => m.type.toLowerCase() === 'video' && m.port !== 0);
  if (!media) throw new GatewayError('OFFER_NO_VIDEO', 'the offer has no active video m-line');
  const mid = getMid(media);
  if (mid === undefined) throw new GatewayError('OFFER_NO_VIDEO', 'the offer has no a=mid on its video m-line (BUNDLE needs one)');
  return chooseVideo({ mid, h264: findH264PayloadTypes(media), h265: findH265PayloadTypes(media) }, source, wantRtx);
}

export function chooseVideo(video: OfferedVideo, source: SourceInfo, wantRtx: boolean): NegotiatedVideo {
  if (source.codec === 'h265') return chooseH265(video, wantRtx);
  const usable = video.h264.filter((f) => f.packetizationMode === 1);
  if (usable.length === 0) throw new GatewayError('OFFER_NO_H264', 'the offer has no H.264 format with packetization-mode=1');
  const camera = normalizeProfile(source.profileLevelId) ?? FALLBACK_PROFILE_LEVEL_ID;
  const chosen = bestMatch(usable, camera);
  const offered = normalizeProfile(chosen.profileLevelIdText) ?? FALLBACK_PROFILE_LEVEL_ID;
  return {
    mid: video.mid,
    payloadType: chosen.payloadType,
    fmtp: `level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=${offered}`,
    rtxPayloadType: wantRtx ? chosen.rtxPayloadType : undefined,
  };
}

/** Same profile and constraints, then same profile_idc, then the fallback, then the first offered. */
function bestMatch(formats: H264PayloadType[], camera: string): H264PayloadType {
  const plid = (f: H264PayloadType) => normalizeProfile(f.profileLevelIdText) ?? FALLBACK_PROFILE_LEVEL_ID;
  return (
    formats.find((f) => plid(f).slice(0, 4) === camera.slice(0, 4)) ??
    formats.find((f) => plid(f).slice(0, 2) === camera.slice(0, 2)) ??
    formats.find((f) => plid(f).slice(0, 4) === FALLBACK_PROFILE_LEVEL_ID.slice(0, 4)) ??
    formats[0]
  );
}

function normalizeProfile(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const s = v.trim().toLowerCase();
  return /^[0-9a-f]{6}$/.test(s) ? s : undefined;
}

/** fmtp parameters of an H.265 answer: the receiver's own (RFC 7798 7.2.2: profile, tier, level are the decoder's). */
const H265_ANSWER_KEYS = ['level-id', 'profile-id', 'tier-flag', 'tx-mode'];

/** The first H.265 format offered (the browser lists what it decodes best first), answered with its own parameters. */
function chooseH265(video: OfferedVideo, wantRtx: boolean): NegotiatedVideo {
  const chosen = (video.h265 ?? [])[0];
  if (!chosen) {
    throw new GatewayError('OFFER_NO_H265', 'this camera sends H.265 and the offer has no H265/90000 format: this browser cannot play H.265');
  }
  const params = H265_ANSWER_KEYS.flatMap((k) => {
    const v = chosen.fmtp.get(k)?.trim();
    return v !== undefined && /^[0-9A-Za-z]{1,8}$/.test(v) ? [`${k}=${v}`] : [];
  });
  return {
    mid: video.mid,
    codec: 'h265',
    payloadType: chosen.payloadType,
    fmtp: params.join(';'),
    rtxPayloadType: wantRtx ? chosen.rtxPayloadType : undefined,
  };
}
