/** Opus packets out of an Ogg file ffmpeg wrote (RFC 3533 pages, RFC 7845 headers), for muxer tests. */

export interface OggOpus {
  channels: number;
  preSkip: number;
  inputSampleRate: number;
  outputGain: number;
  mappingFamily: number;
  /** Audio packets (after OpusHead and OpusTags). */
  packets: Uint8Array[];
}

/** The packets of the first logical stream, reassembled across segments and pages. */
function oggPackets(buf: Uint8Array): Uint8Array[] {
  const packets: Uint8Array[] = [];
  let pending: number[] = [];
  for (let i = 0; i < buf.length;) {
    if (buf[i] !== 0x4f || buf[i + 1] !== 0x67 || buf[i + 2] !== 0x67 || buf[i + 3] !== 0x53) throw new Error(`no OggS at ${i}`);
    const segments = buf[i + 26];
    let o = i + 27 + segments;
    for (let s = 0; s < segments; s++) {
      const lace = buf[i + 27 + s];
      for (let k = 0; k < lace; k++) pending.push(buf[o + k]);
      o += lace;
      if (lace < 255) {
        packets.push(Uint8Array.from(pending));
        pending = [];
      }
    }
    i = o;
  }
  return packets;
}

export function parseOggOpus(buf: Uint8Array): OggOpus {
  const [head, tags, ...packets] = oggPackets(buf);
  if (!head || Buffer.from(head.subarray(0, 8)).toString('latin1') !== 'OpusHead') throw new Error('first packet is not OpusHead');
  if (!tags || Buffer.from(tags.subarray(0, 8)).toString('latin1') !== 'OpusTags') throw new Error('second packet is not OpusTags');
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  return {
    channels: head[9], preSkip: v.getUint16(10, true), inputSampleRate: v.getUint32(12, true),
    outputGain: v.getInt16(16, true), mappingFamily: head[18], packets,
  };
}

/** Samples (48 kHz) in one Opus packet, from its TOC byte (RFC 6716 3.1). */
export function opusPacketSamples(packet: Uint8Array): number {
  const config = packet[0] >> 3;
  const frameSamples = config < 12 ? [480, 960, 1920, 2880][config & 3]
    : config < 16 ? [480, 960][config & 1]
    : [120, 240, 480, 960][config & 3];
  const code = packet[0] & 3;
  const frames = code === 0 ? 1 : code < 3 ? 2 : packet[1] & 0x3f;
  return frameSamples * frames;
}
