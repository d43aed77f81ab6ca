/**
 * The egress packetizer of a stream whose codec is known only once its camera answers DESCRIBE:
 * lib/h264's until the source says H.265 (`setCodec`), then lib/h265's (created on first use).
 * Both write whole RTP packets into the caller's buffer; the track's timeline renumbers them.
 */
import { H264Packetizer } from '../h264/packetizer.js';
import { H265Packetizer } from '../h265/packetizer.js';
import type { EgressPacketizer } from './deps.js';
import type { VideoCodec } from './source.js';

export class CodecPacketizer implements EgressPacketizer {
  readonly mtu: number;
  private readonly h264: H264Packetizer;
  private h265: H265Packetizer | undefined;
  private current: H264Packetizer | H265Packetizer;

  constructor(mtu: number) {
    this.h264 = new H264Packetizer({ mtu });
    this.mtu = this.h264.mtu;
    this.current = this.h264;
  }

  get codec(): VideoCodec {
    return this.current === this.h264 ? 'h264' : 'h265';
  }

  /** Between access units only: the next `start` uses `codec`'s payload format. */
  setCodec(codec: VideoCodec): void {
    const next = codec === 'h265' ? (this.h265 ??= new H265Packetizer({ mtu: this.mtu })) : this.h264;
    if (next === this.current) return;
    next.ssrc = this.current.ssrc;
    next.payloadType = this.current.payloadType;
    this.current = next;
  }

  get ssrc(): number {
    return this.current.ssrc;
  }

  set ssrc(v: number) {
    this.current.ssrc = v;
  }

  get payloadType(): number {
    return this.current.payloadType;
  }

  set payloadType(v: number) {
    this.current.payloadType = v;
  }

  get parameterSets(): EgressPacketizer['parameterSets'] {
    return this.current.parameterSets;
  }

  start(nalus: readonly Uint8Array[], timestamp: number, marker?: boolean, insertParameterSets?: boolean): void {
    this.current.start(nalus, timestamp, marker, insertParameterSets);
  }

  writeNext(out: Uint8Array): number {
    return this.current.writeNext(out);
  }

  setParameterSets(units: readonly Uint8Array[]): void {
    this.current.setParameterSets(units);
  }
}
