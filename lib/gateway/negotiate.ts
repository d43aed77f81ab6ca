/**
 * Picks what to answer a browser's offer with: the video mid, the H.264 format whose
 * profile matches what the camera sends (packetization-mode=1 only: camwire sends FU-A and
 * STAP-A), and the RTX format tied to it. Pure: works on an already parsed offer.
 */
import { GatewayError } from './errors.js';
import type { NegotiatedVideo } from './deps.js';
import type { SourceInfo } from './source.js';

export interface OfferedFormat {
  payloadType: number;
  /** Encoding name as in rtpmap, any case (H264, rtx, VP8...). */
  codec: string;
  /** fmtp parameters by lower-case name. */
  fmtp: Record<string, string>;
}

export interface OfferedVideo {
  mid: string;
  formats: OfferedFormat[];
}

/** Chromium decodes any H.264 profile sent under this one (TESTING.md), so it is the fallback. */
export const FALLBACK_PROFILE_LEVEL_ID = '42e01f';

export function chooseVideo(video: OfferedVideo, source: SourceInfo, wantRtx: boolean): NegotiatedVideo {
  const h264 = video.formats.filter(
    (f) => f.codec.toUpperCase() === 'H264' && (f.fmtp['packetization-mode'] ?? '0') === '1',
  );
  if (h264.length === 0) throw new GatewayError('OFFER_NO_H264', 'the offer has no H.264 format with packetization-mode=1');
  const camera = normalizeProfile(source.profileLevelId) ?? FALLBACK_PROFILE_LEVEL_ID;
  const chosen = bestMatch(h264, camera);
  const offered = normalizeProfile(chosen.fmtp['profile-level-id']) ?? FALLBACK_PROFILE_LEVEL_ID;
  const fmtp = `level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=${offered}`;
  let rtxPayloadType: number | undefined;
  if (wantRtx) {
    const rtx = video.formats.find((f) => f.codec.toUpperCase() === 'RTX' && Number(f.fmtp['apt']) === chosen.payloadType);
    rtxPayloadType = rtx?.payloadType;
  }
  return { mid: video.mid, payloadType: chosen.payloadType, fmtp, rtxPayloadType };
}

/** Same profile and constraints, then same profile_idc, then the fallback, then the first offered. */
function bestMatch(formats: OfferedFormat[], camera: string): OfferedFormat {
  const plid = (f: OfferedFormat) => normalizeProfile(f.fmtp['profile-level-id']) ?? FALLBACK_PROFILE_LEVEL_ID;
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
