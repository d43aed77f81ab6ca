/** What the H.264 and H.265 sprop parameters share: a decoded entry may hold several Annex-B units. */

/** Splits at Annex-B start codes and drops trailing zero bytes (a NAL unit never ends in 0x00). */
export function splitSpropUnits(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  const push = (end: number) => {
    while (end > start && bytes[end - 1] === 0) end--;
    if (end > start) out.push(bytes.subarray(start, end));
  };
  for (let i = 0; i + 2 < bytes.length; i++) {
    if (bytes[i] === 0 && bytes[i + 1] === 0 && bytes[i + 2] === 1) {
      push(i);
      start = i + 3;
      i += 2;
    }
  }
  push(bytes.length);
  return out;
}
