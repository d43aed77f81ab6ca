/**
 * The session description the server answers DESCRIBE with: one H.264 video track,
 * packetization-mode=1, profile-level-id and sprop-parameter-sets taken from the stream's
 * own SPS/PPS (RFC 6184 8.1), so clients can start decoding without in-band parameter sets.
 */
export interface H264SdpFields {
  /** Numeric session id for the o= line. */
  sessionId: number;
  /** Address the o= line names (the server's local address on this connection). */
  originAddress: string;
  sessionName: string;
  sps: Uint8Array;
  pps: Uint8Array;
  payloadType: number;
  /** Control attribute of the track, relative to the Content-Base. */
  trackControl: string;
  frameRate?: number;
}

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0');
}

/** profile_idc, constraint flags and level_idc: the three bytes after the SPS NAL header. */
export function profileLevelId(sps: Uint8Array): string {
  return hex2(sps[1]) + hex2(sps[2]) + hex2(sps[3]);
}

function base64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

export function buildH264Sdp(f: H264SdpFields): string {
  const ipVersion = f.originAddress.includes(':') ? 'IP6' : 'IP4';
  const lines = [
    'v=0',
    `o=- ${f.sessionId} 1 IN ${ipVersion} ${f.originAddress}`,
    `s=${f.sessionName.replace(/[\r\n]/g, ' ')}`,
    `c=IN ${ipVersion} ${ipVersion === 'IP6' ? '::' : '0.0.0.0'}`,
    't=0 0',
    'a=tool:camwire',
    'a=range:npt=now-',
    'a=control:*',
    `m=video 0 RTP/AVP ${f.payloadType}`,
    `a=rtpmap:${f.payloadType} H264/90000`,
    `a=fmtp:${f.payloadType} packetization-mode=1;profile-level-id=${profileLevelId(f.sps)};sprop-parameter-sets=${base64(f.sps)},${base64(f.pps)}`,
  ];
  if (f.frameRate) lines.push(`a=framerate:${f.frameRate}`);
  lines.push(`a=control:${f.trackControl}`);
  return lines.join('\r\n') + '\r\n';
}
