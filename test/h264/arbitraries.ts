/** fast-check generators for H.264 streams. */
import fc from 'fast-check';

/** Encoder-like NAL body: emulation prevention applied, so no start code inside, never ends in 00. */
export function nalOfType(type: number, maxBody: number): fc.Arbitrary<Uint8Array> {
  return fc.tuple(fc.integer({ min: 0, max: 3 }), fc.uint8Array({ minLength: 0, maxLength: maxBody })).map(([nri, body]) => {
    const out: number[] = [(nri << 5) | type];
    let zeros = 0;
    for (const x of body) {
      if (zeros >= 2 && x <= 3) { out.push(3); zeros = 0; }
      out.push(x);
      zeros = x === 0 ? zeros + 1 : 0;
    }
    if (out[out.length - 1] === 0) out.push(0x80);
    return Uint8Array.from(out);
  });
}

const nonVcl = fc.constantFrom(6, 7, 8, 9, 10, 11, 12, 13, 14, 19, 20, 23).chain((type) => nalOfType(type, 40));
const vcl = fc.constantFrom(1, 1, 5).chain((type) => nalOfType(type, 4000));

/** One access unit: optional non-VCL units, 1-4 slices, optional trailing non-VCL units. */
export const accessUnitArb = fc
  .tuple(fc.array(nonVcl, { maxLength: 4 }), fc.array(vcl, { minLength: 1, maxLength: 4 }), fc.array(nonVcl, { maxLength: 1 }))
  .map(([pre, slices, post]) => [...pre, ...slices, ...post]);

/** A stream: access units, first sequence number (near the 65535 -> 0 wrap), MTU. */
export const streamArb = fc.record({
  aus: fc.array(accessUnitArb, { minLength: 1, maxLength: 12 }),
  seq0: fc.oneof(fc.integer({ min: 65400, max: 65535 }), fc.integer({ min: 0, max: 65535 })),
  ts0: fc.integer({ min: 0, max: 0xffffffff }),
  mtu: fc.integer({ min: 40, max: 1500 }),
});
