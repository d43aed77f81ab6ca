/**
 * Picks the audio answer to a browser's offer: the audio mid and the offered payload type of
 * the codec the stream sends (passthrough: Opus, PCMU, PCMA, G.722 as the camera sends them;
 * Opus out of the transcoder for AAC), RED (RFC 2198, `red/48000/2`) wrapped around Opus when
 * offered, and whether the browser asked for NACK on it. No match means no audio: the viewer
 * still gets the video.
 */
import { fmtps, getAttributes, getMid, parseRtcpFb, parseSdp, rtpmaps, type SdpMedia } from '../sdp/index.js';

/** What camwire can send a browser as it is (RTP names and clocks of RFC 3551 / RFC 7587). */
export type BrowserAudioCodec = 'opus' | 'pcmu' | 'pcma' | 'g722';

const RTP_NAME: Record<BrowserAudioCodec, { name: string; clockRate: number; channels: number }> = {
  opus: { name: 'opus', clockRate: 48000, channels: 2 },
  pcmu: { name: 'pcmu', clockRate: 8000, channels: 1 },
  pcma: { name: 'pcma', clockRate: 8000, channels: 1 },
  g722: { name: 'g722', clockRate: 8000, channels: 1 },
};

/** The audio format chosen from a browser's offer. */
export interface NegotiatedAudio {
  mid: string;
  codec: BrowserAudioCodec;
  /** The offer's payload type for the codec. */
  payloadType: number;
  /** rtpmap text after the payload type, e.g. `opus/48000/2`. */
  rtpmap: string;
  /** fmtp for the answer (Opus: the offer's own, so in-band FEC and stereo stay as offered). */
  fmtp?: string;
  /** The offer's `red/48000/2` payload type whose fmtp names `payloadType`: packets go as RED. */
  redPayloadType?: number;
  /** The offer has `a=rtcp-fb:<pt> nack` for the codec (Chromium's has none for audio). */
  nack: boolean;
  /** RTP clock of the codec (G.722: 8000 for 16 kHz audio, RFC 3551 4.5.2). */
  clockRate: number;
}

/** Answers an offer's audio; undefined when it has no active audio m-line or no format `codec`. */
export function negotiateAudio(offerSdp: string, codec: BrowserAudioCodec, wantRed = true, maxSize?: number): NegotiatedAudio | undefined {
  const desc = parseSdp(offerSdp, { maxSize });
  const media = desc.media.find((m) => m.type.toLowerCase() === 'audio' && m.port !== 0);
  if (!media) return undefined;
  const mid = getMid(media);
  if (mid === undefined) return undefined;
  return chooseAudio(media, mid, codec, wantRed);
}

export function chooseAudio(media: SdpMedia, mid: string, codec: BrowserAudioCodec, wantRed: boolean): NegotiatedAudio | undefined {
  const want = RTP_NAME[codec];
  const maps = rtpmaps(media);
  const offered = media.formats.map(Number).filter((pt) => Number.isInteger(pt));
  const pt = offered.find((p) => {
    const m = maps.get(p) ?? staticFormat(p);
    return m !== undefined && m.encodingName.toLowerCase() === want.name && m.clockRate === want.clockRate;
  });
  if (pt === undefined) return undefined;
  const params = fmtps(media);
  const fmtp = codec === 'opus' ? params.get(pt) : undefined;
  const out: NegotiatedAudio = {
    mid, codec, payloadType: pt, rtpmap: `${codec === 'opus' ? 'opus' : want.name.toUpperCase()}/${want.clockRate}${want.channels > 1 ? `/${want.channels}` : ''}`,
    nack: getAttributes(media.attributes, 'rtcp-fb').map(parseRtcpFb).some((fb) => fb?.type === 'nack' && fb.parameter === undefined && (fb.payloadType === pt || fb.payloadType === '*')),
    clockRate: want.clockRate,
  };
  if (fmtp && fmtp.size > 0) out.fmtp = [...fmtp].map(([k, v]) => `${k}=${v}`).join(';');
  if (wantRed && codec === 'opus') {
    const red = offered.find((p) => {
      const m = maps.get(p);
      if (!m || m.encodingName.toLowerCase() !== 'red' || m.clockRate !== 48000) return false;
      // `111/111`: RED of Opus only (Chromium); the blocks' payload type is the Opus one
      const blocks = [...(params.get(p)?.keys() ?? [])].join('');
      return blocks.split('/').every((b) => b === String(pt));
    });
    if (red !== undefined) out.redPayloadType = red;
  }
  return out;
}

/** RFC 3551's static audio payload types a browser may offer without an rtpmap. */
function staticFormat(pt: number): { encodingName: string; clockRate: number } | undefined {
  if (pt === 0) return { encodingName: 'PCMU', clockRate: 8000 };
  if (pt === 8) return { encodingName: 'PCMA', clockRate: 8000 };
  if (pt === 9) return { encodingName: 'G722', clockRate: 8000 };
  return undefined;
}
