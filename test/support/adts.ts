/** ADTS (ISO/IEC 13818-7 / 14496-3 1.A.2) frames from an AAC stream ffmpeg wrote, for muxer tests. */

export interface AdtsStream {
  /** The AudioSpecificConfig the frames' headers describe (2 bytes). */
  audioSpecificConfig: Uint8Array;
  sampleRate: number;
  channels: number;
  /** Raw AAC frames, headers removed (views). */
  frames: Uint8Array[];
}

const RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

export function parseAdts(buf: Uint8Array): AdtsStream {
  const frames: Uint8Array[] = [];
  let asc: Uint8Array | undefined;
  let sampleRate = 0;
  let channels = 0;
  for (let i = 0; i < buf.length;) {
    if (i + 7 > buf.length || buf[i] !== 0xff || (buf[i + 1] & 0xf0) !== 0xf0) throw new Error(`no ADTS sync word at ${i}`);
    const protectionAbsent = buf[i + 1] & 1;
    const objectType = (buf[i + 2] >> 6) + 1;
    const rateIndex = (buf[i + 2] >> 2) & 0x0f;
    const channelConfig = ((buf[i + 2] & 1) << 2) | (buf[i + 3] >> 6);
    const length = ((buf[i + 3] & 0x03) << 11) | (buf[i + 4] << 3) | (buf[i + 5] >> 5);
    const header = protectionAbsent ? 7 : 9;
    if ((buf[i + 6] & 0x03) !== 0) throw new Error('ADTS frames with several raw data blocks are not handled here');
    if (length < header || i + length > buf.length) throw new Error(`ADTS frame length ${length} at ${i}`);
    if (!asc) {
      asc = Uint8Array.of((objectType << 3) | (rateIndex >> 1), ((rateIndex & 1) << 7) | (channelConfig << 3));
      sampleRate = RATES[rateIndex];
      channels = channelConfig;
    }
    frames.push(buf.subarray(i + header, i + length));
    i += length;
  }
  if (!asc) throw new Error('no ADTS frame');
  return { audioSpecificConfig: asc, sampleRate, channels, frames };
}
