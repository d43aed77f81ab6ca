/**
 * What RTSP and the gateway need from a description: per media section its payload
 * formats with codec, clock rate, channels, fmtp and (H.264) parameter sets, plus its raw
 * control attribute and direction. Handles the corpus' mapping quirks: static payload
 * types without rtpmap, rtpmap contradicting a static type (the rtpmap wins, it is what
 * the camera says), fmtp placed in another media section, non-numeric formats (TP-Link).
 */
import { effectiveDirection, fmtps, getAttributes, getControl, parseFmtp, rtpmaps, type Rtpmap } from './attributes.js';
import { parseH264Fmtp, type H264Fmtp, type H264ProfileLevel } from './h264-fmtp.js';
import { parseH265Fmtp, type H265Fmtp } from './h265-fmtp.js';
import type { SdpDirection, SdpMedia, SessionDescription } from './types.js';

/** RFC 3551 static payload types: encoding name, clock rate, channels. */
const STATIC_PAYLOAD_TYPES: ReadonlyMap<number, [string, number, number?]> = new Map([
  [0, ['PCMU', 8000, 1]], [3, ['GSM', 8000, 1]], [4, ['G723', 8000, 1]], [5, ['DVI4', 8000, 1]],
  [6, ['DVI4', 16000, 1]], [7, ['LPC', 8000, 1]], [8, ['PCMA', 8000, 1]], [9, ['G722', 8000, 1]],
  [10, ['L16', 44100, 2]], [11, ['L16', 44100, 1]], [12, ['QCELP', 8000, 1]], [13, ['CN', 8000, 1]],
  [14, ['MPA', 90000]], [15, ['G728', 8000, 1]], [16, ['DVI4', 11025, 1]], [17, ['DVI4', 22050, 1]],
  [18, ['G729', 8000, 1]], [25, ['CelB', 90000]], [26, ['JPEG', 90000]], [28, ['nv', 90000]],
  [31, ['H261', 90000]], [32, ['MPV', 90000]], [33, ['MP2T', 90000]], [34, ['H263', 90000]],
]);

export interface TrackFormat {
  payloadType: number;
  /** encoding name as sent (compare case-insensitively); undefined for a dynamic PT without rtpmap */
  codec?: string;
  clockRate?: number;
  channels?: number;
  /** fmtp parameters, lower-case keys; empty when the camera sent none */
  fmtp: Map<string, string>;
  /** for H264 formats */
  h264?: H264Fmtp;
  /** for H265 formats */
  h265?: H265Fmtp;
}

export interface SdpTrack {
  /** index of the media section in `desc.media` */
  index: number;
  mediaType: string;
  protocol: string;
  /** raw `a=control` value; resolving it against Content-Base is RTSP's job */
  control?: string;
  direction: SdpDirection;
  payloadTypes: number[];
  formats: TrackFormat[];
  /** the first format's fields, for the common single-format case */
  codec?: string;
  clockRate?: number;
  channels?: number;
}

function parsePayloadTypes(media: SdpMedia, mapped: Iterable<number>): number[] {
  const pts = media.formats.filter((f) => /^\d{1,3}$/.test(f) && Number(f) <= 127).map(Number);
  // TP-Link's `m=application/TP-LINK 0 RTP/AVP smart/1/90000` names its PT only in rtpmap.
  return pts.length > 0 || media.formats.length === 0 ? pts : [...mapped];
}

/** fmtp for `pt` in a section that does not itself use `pt` (G2R TestBugSDP2). */
function strayFmtp(desc: SessionDescription, self: SdpMedia, pt: number): Map<string, string> | undefined {
  for (const m of desc.media) {
    if (m === self || m.formats.includes(String(pt))) continue;
    const f = fmtps(m).get(pt);
    if (f) return f;
  }
  const session = getAttributes(desc.attributes, 'fmtp').map(parseFmtp).find((f) => f?.payloadType === pt);
  return session?.parameters;
}

function trackFormat(desc: SessionDescription, media: SdpMedia, pt: number, maps: Map<number, Rtpmap>, fm: Map<number, Map<string, string>>): TrackFormat {
  const map = maps.get(pt);
  const fixed = pt < 96 ? STATIC_PAYLOAD_TYPES.get(pt) : undefined;
  const format: TrackFormat = { payloadType: pt, fmtp: fm.get(pt) ?? strayFmtp(desc, media, pt) ?? new Map() };
  if (map) {
    format.codec = map.encodingName;
    format.clockRate = map.clockRate;
    if (map.encodingParameters !== undefined) format.channels = map.encodingParameters;
    else if (media.type.toLowerCase() === 'audio') format.channels = 1;
  } else if (fixed) {
    format.codec = fixed[0];
    format.clockRate = fixed[1];
    if (fixed[2] !== undefined) format.channels = fixed[2];
  }
  if (format.codec?.toUpperCase() === 'H264') format.h264 = parseH264Fmtp(format.fmtp);
  else if (format.codec?.toUpperCase() === 'H265') format.h265 = parseH265Fmtp(format.fmtp);
  return format;
}

/** The media tracks of a DESCRIBE answer, in order. */
export function describeTracks(desc: SessionDescription): SdpTrack[] {
  return desc.media.map((media, index) => {
    const fm = fmtps(media);
    const maps = rtpmaps(media);
    const payloadTypes = parsePayloadTypes(media, maps.keys());
    const formats = payloadTypes.map((pt) => trackFormat(desc, media, pt, maps, fm));
    const track: SdpTrack = {
      index,
      mediaType: media.type,
      protocol: media.protocol,
      direction: effectiveDirection(desc, media),
      payloadTypes,
      formats,
    };
    const control = getControl(media);
    if (control !== undefined) track.control = control;
    const first = formats[0];
    if (first?.codec !== undefined) track.codec = first.codec;
    if (first?.clockRate !== undefined) track.clockRate = first.clockRate;
    if (first?.channels !== undefined) track.channels = first.channels;
    return track;
  });
}

export interface H264PayloadType {
  payloadType: number;
  /** raw profile-level-id, lower-cased (what the answer must echo) */
  profileLevelIdText?: string;
  profileLevelId?: H264ProfileLevel;
  /** absent means 0 (RFC 6184 8.1) */
  packetizationMode: number;
  levelAsymmetryAllowed: boolean;
  /** the RTX payload type whose fmtp says apt=<payloadType>, if any */
  rtxPayloadType?: number;
}

/**
 * Every H.264 payload type of a media section (a browser offer lists several profiles and
 * packetization modes), in the offer's preference order, with its RTX partner.
 */
export function findH264PayloadTypes(media: SdpMedia): H264PayloadType[] {
  const maps = rtpmaps(media);
  const fm = fmtps(media);
  const rtxFor = rtxPartners(maps, fm);
  const out: H264PayloadType[] = [];
  for (const f of media.formats) {
    const pt = Number(f);
    if (!/^\d{1,3}$/.test(f) || maps.get(pt)?.encodingName.toUpperCase() !== 'H264') continue;
    const params = fm.get(pt) ?? new Map<string, string>();
    const h264 = parseH264Fmtp(params);
    const entry: H264PayloadType = {
      payloadType: pt,
      packetizationMode: h264.packetizationMode ?? 0,
      levelAsymmetryAllowed: h264.levelAsymmetryAllowed ?? false,
    };
    const text = params.get('profile-level-id');
    if (text !== undefined) entry.profileLevelIdText = text.trim().toLowerCase();
    if (h264.profileLevelId) entry.profileLevelId = h264.profileLevelId;
    const rtx = rtxFor.get(pt);
    if (rtx !== undefined) entry.rtxPayloadType = rtx;
    out.push(entry);
  }
  return out;
}

/** RTX payload type (RFC 4588) per payload type it repairs (`apt=`): the first one offered. */
function rtxPartners(maps: Map<number, Rtpmap>, fm: Map<number, Map<string, string>>): Map<number, number> {
  const rtxFor = new Map<number, number>();
  for (const [pt, map] of maps) {
    const apt = fm.get(pt)?.get('apt');
    if (map.encodingName.toLowerCase() === 'rtx' && apt !== undefined && /^\d{1,3}$/.test(apt) && !rtxFor.has(Number(apt))) {
      rtxFor.set(Number(apt), pt);
    }
  }
  return rtxFor;
}

export interface H265PayloadType {
  payloadType: number;
  /** The offered fmtp, lower-case keys (profile-id, tier-flag, level-id, tx-mode). */
  fmtp: Map<string, string>;
  /** the RTX payload type whose fmtp says apt=<payloadType>, if any */
  rtxPayloadType?: number;
}

/** Every H.265 payload type of a media section (Chrome 136+ and Safari offer them), in preference order. */
export function findH265PayloadTypes(media: SdpMedia): H265PayloadType[] {
  const maps = rtpmaps(media);
  const fm = fmtps(media);
  const rtxFor = rtxPartners(maps, fm);
  const out: H265PayloadType[] = [];
  for (const f of media.formats) {
    const pt = Number(f);
    if (!/^\d{1,3}$/.test(f) || maps.get(pt)?.encodingName.toUpperCase() !== 'H265') continue;
    const entry: H265PayloadType = { payloadType: pt, fmtp: fm.get(pt) ?? new Map<string, string>() };
    const rtx = rtxFor.get(pt);
    if (rtx !== undefined) entry.rtxPayloadType = rtx;
    out.push(entry);
  }
  return out;
}
