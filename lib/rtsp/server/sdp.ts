/**
 * The session description the server answers DESCRIBE with: one video track (and an audio
 * track after it, each with its own control URL, when the path serves one). H.264:
 * packetization-mode=1, profile-level-id and sprop-parameter-sets taken from the stream's
 * own SPS/PPS (RFC 6184 8.1); H.265: H265/90000 with profile-id, tier-flag, level-id and
 * sprop-vps/sps/pps (RFC 7798 7.1). Either way clients can start decoding without in-band
 * parameter sets. Written by lib/sdp (strict output).
 */
import { serializeSdp } from '../../sdp/serialize.js';
import type { SessionDescription } from '../../sdp/types.js';
import { formatProfileLevelId, serializeH264Fmtp } from '../../sdp/h264-fmtp.js';
import { serializeH265Fmtp } from '../../sdp/h265-fmtp.js';
import { parseH265Sps } from '../../h265/sps.js';

export interface VideoSdpFields {
  /** Numeric session id for the o= line. */
  sessionId: number;
  /** Address the o= line names (the server's local address on this connection). */
  originAddress: string;
  sessionName: string;
  /** Default 'h264'. */
  codec?: 'h264' | 'h265';
  /** H.265 only. */
  vps?: Uint8Array;
  sps: Uint8Array;
  pps: Uint8Array;
  payloadType: number;
  /** Control attribute of the track, relative to the Content-Base. */
  trackControl: string;
  frameRate?: number;
  audio?: { encodingName: string; payloadType: number; clockRate: number; channels: number; trackControl: string };
}

/** profile_idc, constraint flags and level_idc: the three bytes after the SPS NAL header. */
export function profileLevelId(sps: Uint8Array): string {
  return formatProfileLevelId({ profileIdc: sps[1], constraintFlags: sps[2], levelIdc: sps[3] });
}

/** The `a=fmtp` parameters of an H.265 track; profile, tier and level only from an SPS that parses. */
function h265Fmtp(f: VideoSdpFields): string {
  let ptl: { profileId?: number; tierFlag?: number; levelId?: number } = {};
  try {
    const sps = parseH265Sps(f.sps);
    ptl = { profileId: sps.profileIdc, tierFlag: sps.tier, levelId: sps.levelIdc };
  } catch {
    // optional parameters (RFC 7798 7.1 defaults: Main, level 3.1): the sprops still say it all
  }
  return serializeH265Fmtp({ ...ptl, parameterSets: [...(f.vps ? [f.vps] : []), f.sps, f.pps] });
}

export function buildVideoSdp(f: VideoSdpFields): string {
  const addrType = f.originAddress.includes(':') ? 'IP6' : 'IP4';
  const h265 = f.codec === 'h265';
  const fmtp = h265 ? h265Fmtp(f) : serializeH264Fmtp({
    packetizationMode: 1,
    profileLevelId: { profileIdc: f.sps[1], constraintFlags: f.sps[2], levelIdc: f.sps[3] },
    parameterSets: [f.sps, f.pps],
  });
  const media = [
    { key: 'rtpmap', value: `${f.payloadType} ${h265 ? 'H265' : 'H264'}/90000` },
    { key: 'fmtp', value: `${f.payloadType} ${fmtp}` },
  ];
  if (f.frameRate) media.push({ key: 'framerate', value: String(f.frameRate) });
  media.push({ key: 'control', value: f.trackControl });
  return serializeSdp({
    version: 0,
    origin: { username: '-', sessionId: String(f.sessionId), sessionVersion: '1', netType: 'IN', addrType, address: f.originAddress },
    sessionName: f.sessionName.replace(/[\r\n]/g, ' '),
    emails: [],
    phones: [],
    connection: { netType: 'IN', addrType, address: addrType === 'IP6' ? '::' : '0.0.0.0' },
    bandwidths: [],
    timings: [{ start: '0', stop: '0', repeats: [] }],
    attributes: [{ key: 'tool', value: 'camwire' }, { key: 'range', value: 'npt=now-' }, { key: 'control', value: '*' }],
    media: [
      { type: 'video', port: 0, protocol: 'RTP/AVP', formats: [String(f.payloadType)], connections: [], bandwidths: [], attributes: media },
      ...(f.audio ? [audioMedia(f.audio)] : []),
    ],
  });
}

function audioMedia(a: NonNullable<VideoSdpFields['audio']>): SessionDescription['media'][number] {
  const channels = a.channels > 1 ? `/${a.channels}` : '';
  return {
    type: 'audio', port: 0, protocol: 'RTP/AVP', formats: [String(a.payloadType)], connections: [], bandwidths: [],
    attributes: [{ key: 'rtpmap', value: `${a.payloadType} ${a.encodingName}/${a.clockRate}${channels}` }, { key: 'control', value: a.trackControl }],
  };
}
