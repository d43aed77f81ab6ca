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

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

/** Ogg's CRC-32 (polynomial 0x04c11db7, not reflected, initial 0). */
function oggCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b) & 0xff]) >>> 0;
  return crc;
}

/** One Ogg page holding `packets` whole, or one packet's continuation (`continued`). */
function oggPage(body: Uint8Array[], lacing: number[], granule: bigint, seq: number, flags: number): Uint8Array {
  const bodyLength = body.reduce((n, b) => n + b.length, 0);
  const page = new Uint8Array(27 + lacing.length + bodyLength);
  const v = new DataView(page.buffer);
  page.set([0x4f, 0x67, 0x67, 0x53, 0, flags]);
  v.setBigInt64(6, granule, true);
  v.setUint32(14, 0x63616d77, true);
  v.setUint32(18, seq, true);
  page[26] = lacing.length;
  page.set(lacing, 27);
  let o = 27 + lacing.length;
  for (const b of body) {
    page.set(b, o);
    o += b.length;
  }
  v.setUint32(22, oggCrc(page), true);
  return page;
}

/** Lacing values of a packet: 255s then the rest (a multiple of 255 ends with a 0). */
function lacingOf(length: number): number[] {
  return [...Array<number>(Math.floor(length / 255)).fill(255), length % 255];
}

/**
 * An Ogg stream of arbitrary packets, `perPage` whole packets a page, a packet longer than one
 * page's 255 lacing values continued over pages: the reader tests' oracle.
 */
export function oggStream(packets: readonly Uint8Array[], perPage = 1): Uint8Array {
  const pages: Uint8Array[] = [];
  let seq = 0;
  for (let i = 0; i < packets.length; i += perPage) {
    const group = packets.slice(i, i + perPage);
    const lacing = group.flatMap((p) => lacingOf(p.length));
    if (lacing.length <= 255) {
      pages.push(oggPage(group, lacing, BigInt(i), seq++, i === 0 ? 2 : 0));
      continue;
    }
    // one packet at a time, split at 255 lacing values (254 full segments, then what is left)
    for (const p of group) {
      const laces = lacingOf(p.length);
      for (let s = 0, at = 0; s < laces.length; s += 255) {
        const part = laces.slice(s, s + 255);
        const bytes = part.reduce((n, l) => n + l, 0);
        pages.push(oggPage([p.subarray(at, at + bytes)], part, -1n, seq++, s > 0 ? 1 : 0));
        at += bytes;
      }
    }
  }
  return Buffer.concat(pages);
}

/** An Ogg/Opus file (RFC 7845) of 48 kHz packets laid end to end, one a page, pre-skip 0. */
export function writeOggOpus(packets: readonly Uint8Array[], channels: number): Uint8Array {
  const head = new Uint8Array(19);
  head.set(Buffer.from('OpusHead', 'latin1'));
  head[8] = 1;
  head[9] = channels;
  new DataView(head.buffer).setUint32(12, 48_000, true);
  const tags = new Uint8Array(16);
  tags.set(Buffer.from('OpusTags', 'latin1'));
  const pages = [oggPage([head], [19], 0n, 0, 2), oggPage([tags], [16], 0n, 1, 0)];
  let granule = 0n;
  packets.forEach((p, i) => {
    granule += BigInt(opusPacketSamples(p));
    pages.push(oggPage([p], lacingOf(p.length), granule, i + 2, i === packets.length - 1 ? 4 : 0));
  });
  return Buffer.concat(pages);
}
