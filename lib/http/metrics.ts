/** Prometheus text exposition (version 0.0.4) of every stream's and viewer's counters. */
import type { Gateway } from '../gateway/gateway.js';
import type { ViewerStats } from '../gateway/viewer.js';
import type { WebSocketViewers } from './websocket-route.js';

type ViewerCounter = keyof Omit<ViewerStats, 'state'>;

const STREAM_METRICS: [string, string, 'gauge' | 'counter', (s: ReturnType<Gateway['snapshot']>[number]) => number][] = [
  ['camwire_stream_viewers', 'Viewers connected to the stream', 'gauge', (x) => x.stream.viewers],
  ['camwire_stream_source_playing', '1 when the camera is playing', 'gauge', (x) => (x.stream.sourceState === 'playing' ? 1 : 0)],
  ['camwire_stream_access_units_total', 'Access units received from the camera', 'counter', (x) => x.stream.accessUnits],
  ['camwire_stream_keyframes_total', 'Keyframes received from the camera', 'counter', (x) => x.stream.keyframes],
  ['camwire_stream_packets_out_total', 'Egress RTP packets packetized', 'counter', (x) => x.stream.packetsOut],
  ['camwire_stream_bytes_out_total', 'Egress RTP bytes packetized', 'counter', (x) => x.stream.bytesOut],
  ['camwire_stream_keyframe_requests_forwarded_total', 'Keyframe requests sent to the camera', 'counter', (x) => x.stream.keyframeRequestsForwarded],
  ['camwire_stream_keyframe_requests_suppressed_total', 'Keyframe requests merged by the rate limit', 'counter', (x) => x.stream.keyframeRequestsSuppressed],
  ['camwire_stream_viewers_reaped_total', 'Viewers dropped for RTCP silence or a connection that never came or stayed down', 'counter', (x) => x.stream.viewersReaped],
  ['camwire_stream_keyframe_requests_ignored_total', 'Viewer keyframe requests dropped (viewerKeyframeRequests: ignore)', 'counter', (x) => x.stream.keyframeRequestsIgnored],
  ['camwire_stream_timeline_rebases_total', 'Egress timeline re-bases after camera restarts', 'counter', (x) => x.stream.timelineRebases],
  ['camwire_stream_cut_through_gaps_total', 'Packet forwarding: breaks in the camera sequence, each abandoning a unit', 'counter', (x) => x.stream.cutThrough.gaps],
  ['camwire_stream_cut_through_waiting_dropped_total', 'Packet forwarding: camera packets dropped while waiting for an IDR', 'counter', (x) => x.stream.cutThrough.waitingDropped],
  ['camwire_stream_capture_records_total', 'Packets recorded by the stream\'s capture', 'counter', (x) => x.stream.capture?.records ?? 0],
  ['camwire_stream_capture_dropped_total', 'Capture records dropped because the disk was slower (never media)', 'counter', (x) => x.stream.capture?.dropped ?? 0],
  ['camwire_stream_capture_bytes_total', 'Bytes the stream\'s capture wrote', 'counter', (x) => x.stream.capture?.bytesWritten ?? 0],
  ['camwire_stream_capture_failed', '1 when the stream\'s capture stopped on a write error', 'gauge', (x) => (x.stream.capture?.state === 'failed' ? 1 : 0)],
  ['camwire_stream_recording_segments_total', 'Segments the stream\'s recording began', 'counter', (x) => x.recording?.segments ?? 0],
  ['camwire_stream_recording_bytes_total', 'Bytes the stream\'s recording wrote', 'counter', (x) => x.recording?.bytesWritten ?? 0],
  ['camwire_stream_recording_fragments_dropped_total', 'Recording fragments dropped because the disk was slower (never media)', 'counter', (x) => x.recording?.fragmentsDropped ?? 0],
  ['camwire_stream_recording_failed', '1 when the stream\'s recording stopped on a write error', 'gauge', (x) => (x.recording?.state === 'failed' ? 1 : 0)],
  ['camwire_stream_audio_sending', '1 when the stream sends audio (passthrough or transcoding)', 'gauge', (x) => (x.stream.audio.state === 'passthrough' || x.stream.audio.state === 'transcoding' ? 1 : 0)],
  ['camwire_stream_audio_frames_total', 'Audio frames received from the camera', 'counter', (x) => x.stream.audio.frames],
  ['camwire_stream_audio_packets_out_total', 'Egress audio RTP packets', 'counter', (x) => x.stream.audio.packetsOut],
];

const VIEWER_SUMS: [string, string, ViewerCounter][] = [
  ['camwire_viewer_packets_sent_total', 'RTP packets sent to viewers', 'packetsSent'],
  ['camwire_viewer_nacks_received_total', 'RTCP NACK packets from viewers', 'nacksReceived'],
  ['camwire_viewer_nacked_packets_total', 'Packets viewers asked for again', 'nackedPackets'],
  ['camwire_viewer_retransmitted_total', 'Packets resent on the media SSRC', 'retransmitted'],
  ['camwire_viewer_rtx_sent_total', 'Packets resent as RTX', 'rtxSent'],
  ['camwire_viewer_retransmit_unavailable_total', 'NACKed packets no longer in the history', 'retransmitUnavailable'],
  ['camwire_viewer_plis_received_total', 'RTCP PLI from viewers', 'plisReceived'],
  ['camwire_viewer_firs_received_total', 'RTCP FIR from viewers', 'firsReceived'],
  ['camwire_viewer_send_failures_total', 'Packets the transport refused', 'sendFailures'],
];

type Snapshot = ReturnType<Gateway['snapshot']>[number];
type RenditionRow = NonNullable<Snapshot['stream']['renditions']>[number];

const RENDITION_METRICS: [string, string, 'gauge' | 'counter', (r: RenditionRow) => number][] = [
  ['camwire_rendition_bitrate_bps', 'Measured egress bitrate of the rendition (bits per second, RTP headers included)', 'gauge', (r) => r.bitrateBps],
  ['camwire_rendition_frames_per_second', 'Measured frame rate of the rendition', 'gauge', (r) => r.framesPerSecond],
  ['camwire_rendition_width', 'Frame width from the rendition\'s SPS', 'gauge', (r) => r.width],
  ['camwire_rendition_height', 'Frame height from the rendition\'s SPS', 'gauge', (r) => r.height],
  ['camwire_rendition_viewers', 'Viewers on the rendition now', 'gauge', (r) => r.viewers],
  ['camwire_rendition_source_playing', '1 when the rendition\'s camera profile is playing', 'gauge', (r) => (r.sourceState === 'playing' ? 1 : 0)],
  ['camwire_rendition_keyframe_requests_total', 'Keyframes asked of the profile for viewers switching to it', 'counter', (r) => r.keyframeRequests],
];

/** Per rendition of every stream that lists them, and the viewers' switches (both paths) summed per stream. */
function renditionLines(snap: readonly Snapshot[], websocketViewers: WebSocketViewers | undefined): string[] {
  const lines: string[] = [];
  for (const [name, help, type, get] of RENDITION_METRICS) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const x of snap) {
      for (const r of x.stream.renditions ?? []) lines.push(`${name}{stream="${label(x.stream.name)}",rendition="${label(r.name)}"} ${get(r)}`);
    }
  }
  lines.push('# HELP camwire_viewer_rendition_switches Rendition switches made by the stream\'s current viewers (WebRTC and WebSocket)', '# TYPE camwire_viewer_rendition_switches gauge');
  for (const x of snap) {
    if (!x.stream.renditions) continue;
    const webrtc = x.viewers.reduce((n, v) => n + (v.rendition?.switches ?? 0), 0);
    const switches = (websocketViewers?.info(x.stream.name) ?? []).reduce((n, v) => n + (v.rendition?.switches ?? 0), webrtc);
    lines.push(`camwire_viewer_rendition_switches{stream="${label(x.stream.name)}"} ${switches}`);
  }
  return lines;
}

function label(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** `websocketViewers`: the fallback's viewers (none when absent). */
export function renderMetrics(gateway: Gateway, websocketViewers?: WebSocketViewers): string {
  const snap = gateway.snapshot();
  const lines: string[] = [];
  lines.push('# HELP camwire_stream_viewers_by_path Viewers of the stream per delivery path (webrtc, websocket)', '# TYPE camwire_stream_viewers_by_path gauge');
  for (const x of snap) {
    const name = label(x.stream.name);
    lines.push(`camwire_stream_viewers_by_path{stream="${name}",path="webrtc"} ${x.stream.viewers}`);
    lines.push(`camwire_stream_viewers_by_path{stream="${name}",path="websocket"} ${websocketViewers?.count(x.stream.name) ?? 0}`);
  }
  lines.push('# HELP camwire_websocket_viewers_dropped_total WebSocket viewers given up (stuck reader, no SPS/PPS in time)', '# TYPE camwire_websocket_viewers_dropped_total counter');
  lines.push(`camwire_websocket_viewers_dropped_total ${websocketViewers?.dropped ?? 0}`);
  for (const [name, help, type, get] of STREAM_METRICS) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const x of snap) lines.push(`${name}{stream="${label(x.stream.name)}"} ${get(x)}`);
  }
  for (const [name, help, key] of VIEWER_SUMS) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
    for (const x of snap) {
      lines.push(`${name}{stream="${label(x.stream.name)}"} ${x.viewerTotals[key] ?? 0}`);
    }
  }
  lines.push(...renditionLines(snap, websocketViewers));
  return lines.join('\n') + '\n';
}
