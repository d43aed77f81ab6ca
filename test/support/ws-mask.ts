/** Turns a server frame (unmasked, as lib/http/websocket-frame encodes it) into the masked frame a client sends. */

export function maskFrame(frame: Uint8Array, key: Uint8Array): Uint8Array {
  const len7 = frame[1] & 0x7f;
  const header = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0);
  const out = new Uint8Array(frame.length + 4);
  out.set(frame.subarray(0, header));
  out[1] |= 0x80;
  out.set(key.subarray(0, 4), header);
  for (let i = header; i < frame.length; i++) out[i + 4] = frame[i] ^ key[(i - header) & 3];
  return out;
}

/** Splits bytes at the given cut points (any order, out-of-range ones ignored). */
export function chunked(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.filter((c) => c > 0 && c < bytes.length))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  out.push(bytes.subarray(from));
  return out;
}
