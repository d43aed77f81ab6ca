/**
 * The same path composed straight from the modules, with no gateway objects and no
 * allocation per packet: H264Packetizer.writeNext into one scratch buffer, the history keeps
 * its copy, each viewer copies into its own scratch and rewrites the header in place.
 * A reference for what the gateway's composition costs on top of the modules.
 */
import { parseRtp, setRtpPayloadType, setRtpSequenceNumber, setRtpSsrc, setRtpTimestamp, type RtpPacket } from '../../lib/rtp/packet.js';
import { RecoveringReceiver } from '../../lib/recovery/receiver.js';
import type { ReorderSink } from '../../lib/recovery/reorder-buffer.js';
import { H264Depacketizer, type AccessUnit } from '../../lib/h264/depacketizer.js';
import { H264Packetizer } from '../../lib/h264/packetizer.js';
import { RetransmissionHistory } from '../../lib/recovery/history.js';

class DirectViewer {
  readonly scratch = new Uint8Array(1500);
  sent = 0;
  constructor(readonly seqOffset: number, readonly tsOffset: number, readonly ssrc: number) {}

  send(p: Uint8Array): void {
    const out = this.scratch;
    out.set(p);
    setRtpSequenceNumber(out, (((p[2] << 8) | p[3]) + this.seqOffset) & 0xffff);
    setRtpTimestamp(out, (((p[4] << 24) | (p[5] << 16) | (p[6] << 8) | p[7]) + this.tsOffset) >>> 0);
    setRtpSsrc(out, this.ssrc);
    setRtpPayloadType(out, 108);
    this.sent++;
  }
}

export class DirectPipeline implements ReorderSink<RtpPacket> {
  readonly receiver = new RecoveringReceiver<RtpPacket>(this, { reorder: { startupHold: false } });
  readonly depacketizer = new H264Depacketizer((au) => this.onAccessUnit(au));
  readonly packetizer = new H264Packetizer({ mtu: 1200, ssrc: 0x5eed, sequenceNumber: 1000 });
  readonly history = new RetransmissionHistory();
  readonly viewers: DirectViewer[] = [];
  private readonly scratch = new Uint8Array(1200);
  private now = 0;

  constructor(viewers: number) {
    for (let i = 0; i < viewers; i++) this.viewers.push(new DirectViewer(i * 977, i * 123457, 0x1000 + i));
  }

  push(buf: Uint8Array, now: number): void {
    this.now = now;
    const pkt = parseRtp(buf);
    this.receiver.push(pkt, pkt.sequenceNumber, pkt.timestamp, now);
    if (this.receiver.nextDeadline() <= now) this.receiver.poll(now);
  }

  onPacket(pkt: RtpPacket): void {
    this.depacketizer.push(pkt);
  }

  onLoss(): void {
    this.depacketizer.markLoss();
  }

  private onAccessUnit(au: AccessUnit): void {
    const pz = this.packetizer;
    const out = this.scratch;
    pz.start(au.nalus, au.timestamp);
    for (let n = pz.writeNext(out); n > 0; n = pz.writeNext(out)) {
      const packet = out.subarray(0, n);
      this.history.store(packet, this.now);
      const vs = this.viewers;
      for (let i = 0; i < vs.length; i++) vs[i].send(packet);
    }
  }
}
