/** The RTSP server's public surface (re-exports only), for lib/rtsp/index.ts or lib/index.ts. */
export { RtspServer, type RtspServerOptions, type RtspServerStats, type RtspServerCounters } from './server.js';
export { startDemoCamera, clipSource, demoClipPath, DEMO_PATH, type DemoCamera, type DemoCameraOptions, type DemoAudio } from './demo-camera.js';
export { BeepAudio, BEEP_AUDIO_DEFAULTS, type BeepAudioOptions } from './beep-audio.js';
export { MountAudio, type ServedAudioFacts } from './mount-audio.js';
export { LoopingClipSource, type H264Source, type MediaFrame, type LoopSourceStats } from './media-source.js';
export { loadH264Clip, type H264Clip, type ClipFrame } from './h264-clip.js';
export { RtspServerError, type RtspServerErrorCode } from './errors.js';
export type { Clock } from '../../clock.js';
export type { ServerAuthOptions, AuthMethod as RtspServerAuthMethod } from './auth.js';
export type { MulticastOptions as RtspServerMulticastOptions } from './udp.js';
export { RtspMount, RTSP_MOUNT_DEFAULTS, type RtspMountOptions, type RtspMountStats, type MountFacts, type MountFactsSource } from './mount.js';
export { clipMount, CLIP_MOUNT_DEFAULTS, type ClipMountOptions } from './clip-mount.js';
export { PacedClipSource, type PacedClipSourceOptions, type PacedClipSourceStats } from './paced-clip-source.js';
export type { ViewerStats as RtspViewerStats } from './outputs.js';
