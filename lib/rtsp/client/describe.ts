/** From a DESCRIBE answer to the tracks the client sets up, with absolute control URLs. */
import { parseSdp, describeTracks, getAttribute, sourceFilters, SdpParseError, type SdpTrack, type SessionDescription } from '../../sdp/index.js';
import { resolveControl } from '../protocol/url.js';
import { RtspClientError } from './errors.js';
import type { RtspTrack } from './types.js';

export interface MulticastHint {
  address?: string;
  port?: number;
  ttl?: number;
  /** Sender named by `a=source-filter: incl` (source-specific multicast). */
  source?: string;
}

export interface DescribedSession {
  description: SessionDescription;
  tracks: RtspTrack[];
  /** URL for PLAY, PAUSE, TEARDOWN and keep-alives. */
  aggregateUrl: string;
  /** Per set-up track: multicast address/port/source from the SDP. */
  multicast: (MulticastHint | undefined)[];
}

export const defaultWantTrack = (t: SdpTrack): boolean => t.mediaType.toLowerCase() === 'video' && t.payloadTypes.length > 0;

export function describeRtspTracks(sdp: string, base: string, want: (t: SdpTrack, all: readonly SdpTrack[]) => boolean = defaultWantTrack): DescribedSession {
  if (sdp.trim() === '') throw new RtspClientError('RTSP_BAD_SDP', 'DESCRIBE answer has no body');
  let description: SessionDescription;
  try {
    description = parseSdp(sdp);
  } catch (e) {
    if (e instanceof SdpParseError) throw new RtspClientError('RTSP_BAD_SDP', `DESCRIBE answer is not SDP: ${e.message}`);
    throw e;
  }
  if (description.media.length === 0) throw new RtspClientError('RTSP_BAD_SDP', 'the description has no media section');
  // FFmpeg honours a session-level control only when it is absolute; cameras agree.
  const sessionControl = getAttribute(description.attributes, 'control');
  const aggregateUrl = sessionControl && /^rtsps?:\/\//i.test(sessionControl.trim()) ? sessionControl.trim() : base;
  const tracks: RtspTrack[] = [];
  const multicast: (MulticastHint | undefined)[] = [];
  const all = describeTracks(description);
  for (const sdpTrack of all) {
    if (!want(sdpTrack, all) || sdpTrack.payloadTypes.length === 0) continue;
    const index = tracks.length;
    const payloadType = sdpTrack.payloadTypes[0];
    const track: RtspTrack = {
      index,
      mediaType: sdpTrack.mediaType,
      payloadType,
      clockRate: sdpTrack.clockRate ?? 90000,
      control: resolveControl(base, sdpTrack.control),
      sdp: sdpTrack,
    };
    if (sdpTrack.codec !== undefined) track.codec = sdpTrack.codec;
    tracks.push(track);
    const media = description.media[sdpTrack.index];
    const conn = media.connections[0] ?? description.connection;
    const hint: MulticastHint = {};
    if (conn && conn.address !== '0.0.0.0') hint.address = conn.address;
    if (conn?.ttl !== undefined) hint.ttl = conn.ttl;
    if (media.port > 0) hint.port = media.port;
    const filter = sourceFilters(description, media).find((f) => f.mode === 'incl' && f.sources.length > 0);
    if (filter) hint.source = filter.sources[0];
    multicast.push(hint);
  }
  if (tracks.length === 0) throw new RtspClientError('RTSP_NO_TRACKS', 'no wanted track in the description');
  return { description, tracks, aggregateUrl, multicast };
}
