/** A camera the bench drives by hand (each access unit pushed at once), and the browser offer its viewers make. */
import type { SourceInfo, SourceSink, VideoSource } from '../../lib/gateway/source.js';

export class PushSource implements VideoSource {
  sink: SourceSink | undefined;

  start(s: SourceSink): void {
    this.sink = s;
    s.onState('playing');
  }

  stop(): void {}

  requestKeyframe(): void {}

  info(): SourceInfo {
    return { profileLevelId: '42e01f' };
  }

  stats(): Record<string, number> {
    return {};
  }
}

/** A recvonly H.264 offer (Constrained Baseline 3.1, packetization-mode 1). */
export const H264_OFFER = [
  'v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'm=video 9 UDP/TLS/RTP/SAVPF 108', 'a=mid:0', 'a=recvonly',
  'a=rtpmap:108 H264/90000', 'a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f', '',
].join('\r\n');
