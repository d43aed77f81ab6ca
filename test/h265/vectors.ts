/** Real H.265 parameter sets (ffmpeg libx265, 320x180 yuv420p: coded 320x184 with a conformance window). */
import fc from 'fast-check';

const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

export const VPS = hex('40010c01ffff01600000030090000003000003003c959809');
export const SPS = hex('42010101600000030090000003000003003ca00a080b9f796566924caf016808000003000800000300c840');
export const PPS = hex('4401c172b46240');

/** A NAL unit of `type` with layer 0, temporal id 0, and `body` after its header. */
export function nal(type: number, body: Uint8Array | number[]): Uint8Array {
  const b = body instanceof Uint8Array ? body : Uint8Array.from(body);
  const out = new Uint8Array(2 + b.length);
  out[0] = type << 1;
  out[1] = 1;
  out.set(b, 2);
  return out;
}

/**
 * A NAL unit as an encoder would write it: a valid header (any type but 48-63, any layer, any
 * temporal id), a body that never holds 00 00 0x (emulation prevention), nonzero last byte.
 */
export const nalArb = (types: fc.Arbitrary<number>, maxBody: number): fc.Arbitrary<Uint8Array> =>
  fc.tuple(types, fc.integer({ min: 0, max: 63 }), fc.integer({ min: 1, max: 7 }), fc.uint8Array({ minLength: 1, maxLength: maxBody }))
    .map(([type, layer, tid, body]) => {
      const out = new Uint8Array(2 + body.length);
      out[0] = (type << 1) | (layer >> 5);
      out[1] = ((layer & 0x1f) << 3) | tid;
      for (let i = 0; i < body.length; i++) out[2 + i] = body[i] === 0 ? 0x11 : body[i];
      return out;
    });

/** Access units: an optional VPS/SPS/PPS prefix, then slices; the first unit is an IRAP. */
export const streamArb = fc.record({
  aus: fc.array(
    fc.tuple(fc.boolean(), fc.array(nalArb(fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 16, max: 21 })), 4000), { minLength: 1, maxLength: 4 })),
    { minLength: 1, maxLength: 8 },
  ).map((list) => list.map(([ps, slices]) => (ps ? [VPS, SPS, PPS, ...slices] : slices))),
  seq0: fc.integer({ min: 0, max: 0xffff }),
  ts0: fc.integer({ min: 0, max: 0xffffffff }),
  mtu: fc.integer({ min: 16, max: 1500 }),
});

export const toHex = (nalus: readonly Uint8Array[]) => nalus.map((n) => Buffer.from(n).toString('hex'));
