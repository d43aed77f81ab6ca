/** THROWAWAY test glue until lib/h264 lands: single NAL or FU-A payloads at a fixed size. */
export function glueRtpPayloads(nalus: Uint8Array[], maxPayload = 1188): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const nal of nalus) {
    if (nal.length <= maxPayload) {
      out.push(nal);
      continue;
    }
    const hdr = nal[0];
    let off = 1;
    while (off < nal.length) {
      const n = Math.min(maxPayload - 2, nal.length - off);
      const p = new Uint8Array(n + 2);
      p[0] = (hdr & 0xe0) | 28;
      p[1] = (hdr & 0x1f) | (off === 1 ? 0x80 : 0) | (off + n === nal.length ? 0x40 : 0);
      p.set(nal.subarray(off, off + n), 2);
      out.push(p);
      off += n;
    }
  }
  return out;
}
