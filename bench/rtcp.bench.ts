/**
 * RTCP NACK handling as a gateway does it for every browser NACK: a Chromium-style compound
 * (RR with one report block + generic NACK) parsed to lost sequence numbers, and built from
 * them. camwire vs werift-rtp, plus the cost of seqsToNackItems alone.
 */
import { GenericNack, RtcpPacketConverter, RtcpReceiverInfo, RtcpRrPacket } from 'werift-rtp';
import { parseRtcp, serializeRtcp, type RtcpPacket } from '../lib/rtcp/compound.js';
import { nackItemsToSeqs, seqsToNackItems } from '../lib/rtcp/nack.js';
import { seqAdd } from '../lib/rtp/seq.js';
import { measureNs, withPeer, type Benchmark } from './harness.js';

const SENDER = 0x00000001;
const MEDIA = 0x11223344;

/**
 * `n` lost numbers from `start` on, in order and wrapping past 65535 (as a NACK generator
 * lists them): pairs of losses, a gap of 1, and every 7th pair a gap of 40.
 */
function lostSet(n: number, start = 65500): number[] {
  const out: number[] = [];
  for (let i = 0, offset = 0; out.length < n; i++) {
    out.push(seqAdd(start, offset), seqAdd(start, offset + 1));
    offset += i % 7 === 6 ? 40 : 3;
  }
  return out.slice(0, n);
}

const lost = lostSet(24);
const compound: RtcpPacket[] = [
  { type: 'rr', ssrc: SENDER, profileExtension: new Uint8Array(0), reports: [{ ssrc: MEDIA, fractionLost: 12, cumulativeLost: 340, highestSeq: 0x1fff0, jitter: 45, lsr: 0x12345678, dlsr: 6554 }] },
  { type: 'nack', senderSsrc: SENDER, mediaSsrc: MEDIA, items: seqsToNackItems(lost) },
];
const wire = serializeRtcp(compound);
const wireBuf = Buffer.from(wire.buffer, wire.byteOffset, wire.byteLength);
let sink = 0;

function weriftCompound(lostSeqs: number[]): [RtcpRrPacket, GenericNack] {
  const rr = new RtcpRrPacket({ ssrc: SENDER, reports: [new RtcpReceiverInfo({ ssrc: MEDIA, fractionLost: 12, packetsLost: 340, highestSequence: 0x1fff0, jitter: 45, lsr: 0x12345678, dlsr: 6554 })] });
  return [rr, new GenericNack({ senderSsrc: SENDER, mediaSourceSsrc: MEDIA, lost: lostSeqs })];
}

export const benchmarks: Benchmark[] = [
  {
    name: 'rtcp.nack.parse',
    run() {
      const opts = { iterations: 200_000, runs: 9 };
      const parse = measureNs(() => { sink += parseRtcp(wire).length; }, opts);
      // werift expands NACK items to sequence numbers while parsing, so compare that too
      const toSeqs = measureNs(() => {
        const ps = parseRtcp(wire);
        const nack = ps[1];
        if (nack.type === 'nack') sink += nackItemsToSeqs(nack.items).length;
      }, opts);
      const werift = measureNs(() => { sink += RtcpPacketConverter.deSerialize(wireBuf).length; }, { iterations: 50_000, runs: 9 });
      return [
        withPeer('rtcp.nack.parse', 'ns/compound', parse, 'werift-rtp', werift, { bytes: wire.length, lostSeqs: lost.length, items: compound[1].type === 'nack' ? compound[1].items.length : 0 }),
        withPeer('rtcp.nack.parse+seqs', 'ns/compound', toSeqs, 'werift-rtp', werift),
      ];
    },
  },
  {
    name: 'rtcp.nack.serialize',
    run() {
      const out = new Uint8Array(1500);
      const own = measureNs(() => { sink += serializeRtcp(compound, out).length; }, { iterations: 200_000, runs: 9 });
      // from lost sequence numbers to bytes: the NACK generator's whole job
      const fromSeqs = measureNs(() => {
        const nack: RtcpPacket = { type: 'nack', senderSsrc: SENDER, mediaSsrc: MEDIA, items: seqsToNackItems(lost) };
        sink += serializeRtcp([compound[0], nack], out).length;
      }, { iterations: 100_000, runs: 9 });
      const [wrr, wnack] = weriftCompound(lost);
      const werift = measureNs(() => { sink += Buffer.concat([wrr.serialize(), wnack.serialize()]).length; }, { iterations: 50_000, runs: 9 });
      return [
        withPeer('rtcp.nack.serialize', 'ns/compound', own, 'werift-rtp', werift),
        withPeer('rtcp.nack.serialize-from-seqs', 'ns/compound', fromSeqs, 'werift-rtp', werift),
      ];
    },
  },
  {
    name: 'rtcp.seqsToNackItems',
    run() {
      return [1, 16, 100, 1000].map((n) => {
        const seqs = lostSet(n);
        const m = measureNs(() => { sink += seqsToNackItems(seqs).length; }, { iterations: Math.max(2_000, 200_000 / n), runs: 9 });
        return withPeer(`rtcp.seqsToNackItems.${n}`, 'ns/call', m, undefined, undefined, { lostSeqs: n, items: seqsToNackItems(seqs).length });
      });
    },
  },
];

export const _sink = () => sink;
