/**
 * THROWAWAY test glue until lib/sdp lands: the video mid, H.264 formats and RTX apt of a
 * browser offer, by line scanning. Not an SDP parser anyone should reuse.
 */
export interface GlueOfferVideo {
  mid: string;
  h264: { pt: number; fmtp: string }[];
  rtx: Map<number, number>;
}

export function glueOfferVideo(sdp: string): GlueOfferVideo {
  const sections = sdp.split(/\r?\n(?=m=)/);
  const video = sections.find((s) => s.startsWith('m=video'));
  if (!video) throw new Error('no video');
  const lines = video.split(/\r?\n/);
  const mid = lines.find((l) => l.startsWith('a=mid:'))?.slice(6) ?? '0';
  const codec = new Map<number, string>();
  const fmtp = new Map<number, string>();
  for (const l of lines) {
    let m = /^a=rtpmap:(\d+) ([^/]+)/.exec(l);
    if (m) codec.set(Number(m[1]), m[2].toUpperCase());
    m = /^a=fmtp:(\d+) (.*)$/.exec(l);
    if (m) fmtp.set(Number(m[1]), m[2]);
  }
  const h264: { pt: number; fmtp: string }[] = [];
  const rtx = new Map<number, number>();
  for (const [pt, name] of codec) {
    if (name === 'H264') h264.push({ pt, fmtp: fmtp.get(pt) ?? '' });
    if (name === 'RTX') {
      const apt = /apt=(\d+)/.exec(fmtp.get(pt) ?? '');
      if (apt) rtx.set(Number(apt[1]), pt);
    }
  }
  return { mid, h264, rtx };
}

/** The offer's H.264 format with packetization-mode=1 and the wanted profile-level-id prefix. */
export function gluePickH264(v: GlueOfferVideo, profileIdc = '42e0'): { pt: number; fmtp: string } {
  const ok = v.h264.filter((f) => /packetization-mode=1/.test(f.fmtp));
  return ok.find((f) => f.fmtp.includes(`profile-level-id=${profileIdc}`)) ?? ok[0] ?? v.h264[0];
}
