/**
 * RTP header extensions (RFC 3550 5.3.1) and the RFC 8285 one-byte (0xBEDE) and
 * two-byte (0x100X) element formats carried inside them.
 */

export interface RtpHeaderExtension {
  /** 16-bit "defined by profile" field: 0xBEDE one-byte, 0x1000-0x100F two-byte, else opaque. */
  profile: number;
  /** Extension body (length is a multiple of 4 on the wire); a view into the packet. */
  data: Uint8Array;
}

export interface RtpExtensionElement {
  id: number;
  /** View into the packet. */
  value: Uint8Array;
}

export const ONE_BYTE_PROFILE = 0xbede;
export const TWO_BYTE_PROFILE_MASK = 0xfff0;
export const TWO_BYTE_PROFILE = 0x1000;

export function isOneByteProfile(profile: number): boolean {
  return profile === ONE_BYTE_PROFILE;
}

export function isTwoByteProfile(profile: number): boolean {
  return (profile & TWO_BYTE_PROFILE_MASK) === TWO_BYTE_PROFILE;
}

/**
 * Elements of an RFC 8285 extension. Opaque profiles give an empty list. Malformed
 * element lists stop at the first element that would run past the end (never throws):
 * extensions are advisory, the media payload is still good.
 */
export function parseExtensionElements(ext: RtpHeaderExtension): RtpExtensionElement[] {
  const out: RtpExtensionElement[] = [];
  const d = ext.data;
  if (isOneByteProfile(ext.profile)) {
    let i = 0;
    while (i < d.length) {
      const b = d[i];
      if (b === 0) { i++; continue; } // padding
      const id = b >> 4;
      if (id === 15) break; // reserved: stop processing (RFC 8285 4.2)
      const len = (b & 0x0f) + 1;
      if (i + 1 + len > d.length) break;
      out.push({ id, value: d.subarray(i + 1, i + 1 + len) });
      i += 1 + len;
    }
  } else if (isTwoByteProfile(ext.profile)) {
    let i = 0;
    while (i < d.length) {
      const id = d[i];
      if (id === 0) { i++; continue; }
      if (i + 1 >= d.length) break;
      const len = d[i + 1];
      if (i + 2 + len > d.length) break;
      out.push({ id, value: d.subarray(i + 2, i + 2 + len) });
      i += 2 + len;
    }
  }
  return out;
}

/**
 * Builds an RFC 8285 extension from elements: one-byte form when every id is 1-14 and
 * every value 1-16 bytes, otherwise two-byte form. Zero padding to a multiple of 4.
 */
export function buildExtension(elements: readonly RtpExtensionElement[]): RtpHeaderExtension {
  const oneByte = elements.every((e) => e.id >= 1 && e.id <= 14 && e.value.length >= 1 && e.value.length <= 16);
  let size = 0;
  for (const e of elements) size += (oneByte ? 1 : 2) + e.value.length;
  const data = new Uint8Array((size + 3) & ~3);
  let i = 0;
  for (const e of elements) {
    if (oneByte) {
      data[i++] = (e.id << 4) | (e.value.length - 1);
    } else {
      if (e.id < 1 || e.id > 255 || e.value.length > 255) throw new RangeError(`extension element id ${e.id} / length ${e.value.length} out of range`);
      data[i++] = e.id;
      data[i++] = e.value.length;
    }
    data.set(e.value, i);
    i += e.value.length;
  }
  return { profile: oneByte ? ONE_BYTE_PROFILE : TWO_BYTE_PROFILE, data };
}
