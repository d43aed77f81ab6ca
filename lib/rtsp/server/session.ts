/**
 * State the server keeps per RTSP session: one media entry per track the client set up (the
 * video, the audio), each with its own transport and, while playing, its own output. A session
 * belongs to the connection that created it and ends with it, on TEARDOWN, or when nothing
 * (request, RTCP) has been heard from its client for the session timeout.
 */
import type { Socket as DatagramSocket } from 'node:dgram';
import type { RtspMount } from './mount.js';
import { UdpOutput, type InterleavedOutput } from './outputs.js';

export type SessionTransport =
  | { kind: 'udp'; address: string; rtpPort: number; rtcpPort: number }
  | { kind: 'tcp'; rtpChannel: number; rtcpChannel: number }
  | { kind: 'multicast'; group: MulticastGroup };

export type MediaKind = 'video' | 'audio';

export interface SessionMedia {
  transport: SessionTransport;
  viewer: UdpOutput | InterleavedOutput | undefined;
}

export class ServerSession {
  playing = false;
  /** The tracks set up, in SETUP order. */
  readonly media = new Map<MediaKind, SessionMedia>();
  lastActivity: number;

  constructor(
    readonly id: string,
    readonly path: string,
    readonly stream: RtspMount,
    readonly connectionId: number,
    /** The owning connection's session set. */
    readonly owner: Set<ServerSession>,
    now: number,
  ) {
    this.lastActivity = now;
  }

  /** The first track's transport kind (a session's tracks normally share one). */
  get transportKind(): SessionTransport['kind'] {
    return this.media.values().next().value?.transport.kind ?? 'udp';
  }

  /** The video track's UDP output, the one that answers NACKs. */
  get udpVideo(): UdpOutput | undefined {
    const v = this.media.get('video')?.viewer;
    return v instanceof UdpOutput ? v : undefined;
  }
}

/** `address:port` RTCP from a client arrives from, for a UDP unicast track. */
export function rtcpSourceKey(t: SessionTransport): string | undefined {
  return t.kind === 'udp' ? `${t.address}:${t.rtcpPort}` : undefined;
}

/**
 * One group per served path while any session receives it by multicast: each track is sent
 * once to the group (one output of the mount per track), whoever listens: the video to the
 * pool's port pair, the audio to the next pair. Each newly playing member asks the stream for
 * a keyframe, since it joins mid-GOP.
 */
export class MulticastGroup {
  /** The group's outputs while any member plays (a closed output never restarts: a new one each time). */
  private readonly outputs: Partial<Record<MediaKind, UdpOutput>> = {};
  private readonly playing: Record<MediaKind, Set<ServerSession>> = { video: new Set(), audio: new Set() };
  private readonly members = new Set<ServerSession>();

  constructor(
    readonly address: string,
    readonly rtpPort: number,
    readonly ttl: number,
    readonly stream: RtspMount,
    readonly sender: DatagramSocket,
    readonly rtcp: DatagramSocket | undefined,
  ) {}

  /** The video output, while any member plays it. */
  get viewer(): UdpOutput | undefined {
    return this.outputs.video;
  }

  get size(): number {
    return this.members.size;
  }

  /** RTP port of a track: the pool's for the video, the next pair for the audio. */
  portOf(kind: MediaKind): number {
    return kind === 'audio' ? this.rtpPort + 2 : this.rtpPort;
  }

  join(s: ServerSession): void {
    this.members.add(s);
  }

  /** Removes the member; true when the group is now empty. */
  leave(s: ServerSession): boolean {
    this.stop(s, 'video');
    this.stop(s, 'audio');
    this.members.delete(s);
    return this.members.size === 0;
  }

  play(s: ServerSession, kind: MediaKind): void {
    const playing = this.playing[kind];
    if (playing.has(s)) return;
    playing.add(s);
    if (playing.size === 1) {
      const port = this.portOf(kind);
      const output = new UdpOutput(kind === 'audio' ? this.stream.audio! : this.stream, this.sender, this.sender, this.address, port, port + 1);
      this.outputs[kind] = output;
      this.stream.attach(output, kind);
    } else if (kind === 'video') {
      this.stream.requestKeyframe();
    }
  }

  stop(s: ServerSession, kind: MediaKind): void {
    const playing = this.playing[kind];
    if (!playing.delete(s)) return;
    const output = this.outputs[kind];
    if (playing.size === 0 && output) {
      this.stream.detach(output);
      this.outputs[kind] = undefined;
    }
  }
}
