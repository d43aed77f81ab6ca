/**
 * Closed-loop loss recovery on virtual time: a sender storing every packet in a
 * RetransmissionHistory, a forward link and a return link from netsim, and a receiver with
 * NackGenerator + ReorderBuffer whose NACKs travel back and are answered from the history.
 */
import { Link, modelsFromProfile, type LinkProfile } from '../../lib/netsim/link.js';
import { ReorderBuffer, type ReorderSink } from '../../lib/recovery/reorder-buffer.js';
import { NackGenerator, type NackGeneratorOptions } from '../../lib/recovery/nack-generator.js';
import { RetransmissionHistory, ResendLimiter, type ResendSink } from '../../lib/recovery/history.js';
import { RecoveringReceiver, type RecoveringReceiverOptions } from '../../lib/recovery/receiver.js';
import { seqAdd } from '../../lib/rtp/seq.js';

export interface ClosedLoopOptions {
  packets: number;
  /** Extra packets sent after the measured ones, so the last measured losses can be detected. */
  tail?: number;
  seq0: number;
  intervalMs: number;
  forward: LinkProfile;
  back: LinkProfile;
  seed: number;
  nack: NackGeneratorOptions;
  /** RTT the NACK generator assumes (its retry interval). */
  rttMs: number;
  /** RTT the sender's resend limiter assumes (the path's real RTT, as RTCP would measure it). */
  senderRttMs: number;
  reorderWaitMs: number;
  /** Disable NACK entirely (baseline). */
  noNack?: boolean;
  /** Use the composed RecoveringReceiver (these options) instead of wiring the parts by hand. */
  receiver?: RecoveringReceiverOptions;
}

export interface ClosedLoopResult {
  /**
   * Measured packets: those of the first `packets` from the first one the receiver got on
   * (it cannot know about packets before it) delivered by the reorder buffer.
   */
  measured: number;
  delivered: number;
  lost: number;
  /** Extended seqs the reorder buffer emitted, in order, and loss ranges. */
  exts: number[];
  losses: [number, number][];
  seqs: number[];
  reorder: ReorderBuffer<Uint8Array>['stats'];
  nack: NackGenerator['stats'];
  receiver?: ReturnType<RecoveringReceiver<Uint8Array>['stats']>;
  history: RetransmissionHistory['stats'];
  nackMessages: number;
}

function rtpBytes(seq: number, i: number): Uint8Array {
  const b = new Uint8Array(200);
  b[0] = 0x80; b[1] = 96; b[2] = seq >> 8; b[3] = seq & 0xff;
  b[12] = i & 0xff; b[13] = (i >> 8) & 0xff; b[14] = (i >> 16) & 0xff;
  return b;
}

export function runClosedLoop(o: ClosedLoopOptions): ClosedLoopResult {
  const fwd = new Link<Uint8Array>(modelsFromProfile(o.forward, o.seed));
  const back = new Link<number[]>(modelsFromProfile(o.back, o.seed ^ 0x5bd1e995));
  const history = new RetransmissionHistory({ maxAgeMs: 2000, maxPackets: 2048 });
  const limiter = new ResendLimiter();
  const nack = new NackGenerator(o.nack);
  nack.setRttMs(o.rttMs);
  const exts: number[] = [];
  const seqs: number[] = [];
  const ids: number[] = [];
  const losses: [number, number][] = [];
  const sink: ReorderSink<Uint8Array> = {
    onPacket(pkt, ext) { exts.push(ext); seqs.push((pkt[2] << 8) | pkt[3]); ids.push(pkt[12] | (pkt[13] << 8) | (pkt[14] << 16)); },
    onLoss(from, count) { losses.push([from, count]); if (!o.receiver) nack.abandonThrough((from + count - 1) & 0xffff); },
  };
  const composed = o.receiver ? new RecoveringReceiver<Uint8Array>(sink, o.receiver) : undefined;
  composed?.setRttMs(o.rttMs);
  const reorder = composed ? composed.reorder : new ReorderBuffer<Uint8Array>(sink, { waitMs: o.reorderWaitMs, capacity: 2048 });
  let now = 0;
  const resend: ResendSink = { resend(pkt) { fwd.send(pkt.slice(), pkt.length, now); } };
  const total = o.packets + (o.tail ?? 20);
  let sent = 0;
  let nackMessages = 0;
  for (;;) {
    const nextSend = sent < total ? sent * o.intervalMs : Infinity;
    const receiverDue = composed ? composed.nextDeadline() : Math.min(reorder.nextDeadline(), o.noNack ? Infinity : nack.nextDeadline());
    const t = Math.min(nextSend, fwd.nextDeadline(), back.nextDeadline(), receiverDue);
    if (t === Infinity) break;
    now = Math.max(now, t);
    if (now >= nextSend) {
      const seq = seqAdd(o.seq0, sent);
      const bytes = rtpBytes(seq, sent);
      history.store(bytes, now);
      fwd.send(bytes, bytes.length, now);
      sent++;
    }
    if (composed) {
      fwd.deliver(now, (pkt) => { composed.push(pkt, (pkt[2] << 8) | pkt[3], 0, now); });
    } else {
      fwd.deliver(now, (pkt) => {
        const seq = (pkt[2] << 8) | pkt[3];
        if (!o.noNack) nack.onPacket(seq, now);
        reorder.push(pkt, seq, now);
      });
    }
    back.deliver(now, (list) => { history.serve(list, now, limiter, o.senderRttMs, resend); });
    let request = undefined;
    if (composed) {
      if (composed.nextDeadline() <= now) request = composed.poll(now);
    } else {
      reorder.poll(now);
      if (!o.noNack && nack.nextDeadline() <= now) request = nack.poll(now);
    }
    if (request && request.seqs.length > 0) {
      nackMessages++;
      back.send(request.seqs.slice(), 16 + 4 * request.seqs.length, now);
    }
  }
  reorder.flush();
  const firstId = ids.length > 0 ? ids[0] : o.packets;
  let delivered = 0;
  for (const id of ids) if (id < o.packets) delivered++;
  const measured = Math.max(0, o.packets - firstId);
  return { measured, delivered, lost: measured - delivered, exts, losses, seqs, reorder: reorder.stats, nack: composed?.nack?.stats ?? nack.stats, receiver: composed?.stats(), history: history.stats, nackMessages };
}
