/**
 * A minimal pcapng block walker for the unit tests (the specs read captures with tshark):
 * checks that both length fields agree and are multiples of 4, and splits each block's
 * options from its body by the block type's fixed part.
 */
export interface Block {
  type: number;
  body: Uint8Array;
  options: { code: number; value: Uint8Array }[];
}

const FIXED: Record<number, number> = { 0x0a0d0d0a: 16, 1: 8, 5: 12 };

export function readBlocks(buf: Uint8Array): Block[] {
  const v = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Block[] = [];
  let off = 0;
  while (off < buf.length) {
    const type = v.readUInt32LE(off);
    const len = v.readUInt32LE(off + 4);
    if (len % 4 !== 0 || len < 12 || off + len > buf.length) throw new Error(`bad block length ${len} at ${off}`);
    if (v.readUInt32LE(off + len - 4) !== len) throw new Error(`trailing length differs at ${off}`);
    const body = buf.subarray(off + 8, off + len - 4);
    let fixed = FIXED[type];
    if (type === 6) fixed = 20 + ((v.readUInt32LE(off + 20) + 3) & ~3);
    const options: { code: number; value: Uint8Array }[] = [];
    let p = fixed ?? body.length;
    while (p + 4 <= body.length) {
      const code = body[p] | (body[p + 1] << 8);
      const l = body[p + 2] | (body[p + 3] << 8);
      if (code === 0) break;
      options.push({ code, value: body.subarray(p + 4, p + 4 + l) });
      p += 4 + ((l + 3) & ~3);
    }
    out.push({ type, body, options });
    off += len;
  }
  return out;
}
