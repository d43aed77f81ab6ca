/** fast-check arbitraries for valid RTCP packets, shared by the RTCP property tests. */
import fc from 'fast-check';
import type { RtcpPacket, RtcpReportBlock, RtcpUnknown } from '../../lib/rtcp/index.js';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u8 = fc.integer({ min: 0, max: 255 });
const words = (maxLength: number) => fc.uint8Array({ maxLength }).map((d) => d.slice(0, d.length & ~3));

export const arbReportBlock: fc.Arbitrary<RtcpReportBlock> = fc.record({
  ssrc: u32, fractionLost: u8, cumulativeLost: fc.integer({ min: -0x800000, max: 0x7fffff }),
  highestSeq: u32, jitter: u32, lsr: u32, dlsr: u32,
});

const reports = fc.array(arbReportBlock, { maxLength: 31, size: 'small' });

const unmodelledKind: fc.Arbitrary<[number, number]> = fc.oneof(
    fc.tuple(fc.oneof(fc.integer({ min: 192, max: 199 }), fc.integer({ min: 208, max: 223 })), fc.integer({ min: 0, max: 31 })),
    fc.tuple(fc.constant(207), fc.integer({ min: 1, max: 31 })),
    fc.tuple(fc.constant(205), fc.integer({ min: 0, max: 31 }).filter((f) => f !== 1)),
    fc.tuple(fc.constant(206), fc.integer({ min: 0, max: 31 }).filter((f) => f !== 1 && f !== 4 && f !== 15)),
);

const arbUnknown: fc.Arbitrary<RtcpUnknown> = fc.record({
  kind: unmodelledKind,
  body: words(64),
  padWords: fc.integer({ min: 0, max: 16 }),
}).map(({ kind: [pt, count], body, padWords }) => {
  const pad = Math.min(padWords, body.length >> 2) * 4;
  const raw = new Uint8Array(4 + body.length);
  raw[0] = 0x80 | (pad ? 0x20 : 0) | count;
  raw[1] = pt;
  raw[2] = (raw.length / 4 - 1) >> 8;
  raw[3] = (raw.length / 4 - 1) & 0xff;
  raw.set(body, 4);
  if (pad) raw[raw.length - 1] = pad;
  return { type: 'unknown' as const, packetType: pt, count, raw };
});

export const arbRtcpPacket: fc.Arbitrary<RtcpPacket> = fc.oneof(
  fc.record({
    type: fc.constant('sr' as const), ssrc: u32, ntpSeconds: u32, ntpFraction: u32, rtpTimestamp: u32,
    packetCount: u32, octetCount: u32, reports, profileExtension: words(16),
  }),
  fc.record({ type: fc.constant('rr' as const), ssrc: u32, reports, profileExtension: words(16) }),
  fc.record({
    type: fc.constant('sdes' as const),
    chunks: fc.array(fc.record({
      ssrc: u32,
      items: fc.array(fc.record({ type: fc.integer({ min: 1, max: 255 }), value: fc.uint8Array({ maxLength: 255, size: 'small' }) }), { maxLength: 5 }),
    }), { maxLength: 31, size: 'small' }),
  }),
  fc.record({ type: fc.constant('bye' as const), ssrcs: fc.array(u32, { maxLength: 31 }), reason: fc.option(fc.uint8Array({ maxLength: 255 }), { nil: undefined }) }),
  fc.record({
    type: fc.constant('app' as const), subtype: fc.integer({ min: 0, max: 31 }), ssrc: u32,
    name: fc.array(u8, { minLength: 4, maxLength: 4 }).map((b) => String.fromCharCode(...b)), data: words(32),
  }),
  fc.record({ type: fc.constant('nack' as const), senderSsrc: u32, mediaSsrc: u32, items: fc.array(fc.record({ pid: u16, blp: u16 }), { maxLength: 40 }) }),
  fc.record({ type: fc.constant('pli' as const), senderSsrc: u32, mediaSsrc: u32 }),
  fc.record({ type: fc.constant('fir' as const), senderSsrc: u32, mediaSsrc: u32, entries: fc.array(fc.record({ ssrc: u32, seqNr: u8 }), { maxLength: 8 }) }),
  fc.record({
    type: fc.constant('remb' as const), senderSsrc: u32, mediaSsrc: u32, ssrcs: fc.array(u32, { maxLength: 8 }),
    bitrate: fc.tuple(fc.integer({ min: 0, max: 0x3ffff }), fc.integer({ min: 0, max: 63 })).map(([m, e]) => m * 2 ** e),
  }),
  fc.record({
    type: fc.constant('xr' as const), ssrc: u32,
    blocks: fc.array(fc.oneof(
      fc.record({ type: fc.constant('rrtr' as const), ntpSeconds: u32, ntpFraction: u32 }),
      fc.record({ type: fc.constant('dlrr' as const), items: fc.array(fc.record({ ssrc: u32, lastRr: u32, delaySinceLastRr: u32 }), { maxLength: 4 }) }),
      // what parses as rrtr/dlrr is never 'other' (types 4 and 5 with a zero reserved byte)
      fc.record({ type: fc.constant('other' as const), blockType: u8, typeSpecific: u8, data: words(32) })
        .filter((x) => x.typeSpecific !== 0 || (x.blockType !== 4 && x.blockType !== 5)),
    ), { maxLength: 4 }),
  }),
  arbUnknown,
);

export const arbCompound = fc.array(arbRtcpPacket, { minLength: 1, maxLength: 6 });

/** Plain-data form for deep comparison: byte views become arrays, keys are sorted. */
export function plain(x: unknown): unknown {
  if (x instanceof Uint8Array) return Array.from(x);
  if (Array.isArray(x)) return x.map(plain);
  if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, plain(v)]));
  return x;
}
