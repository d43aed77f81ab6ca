/** The camera leg: RTSP client -> reorder/NACK -> depacketizer, and the probe built on it. */
export { probe, formatProbe, profileName, type ProbeOptions, type ProbeResult, type ProbeTrack, type ProbeRecovery, type ProbeAudio } from './probe.js';
export {
  CameraLeg, attachCameraLeg, firstH264Track, firstVideoTrack, type CameraLegOptions, type CameraLegStats, type CameraLegUpstream, type CameraLegClient,
} from './camera-leg.js';
export {
  AudioLeg, AUDIO_LEG_DEFAULTS, chooseAudioTrack, firstAudioTrack, wantVideoAndAudio, type AudioLegOptions, type AudioLegStats,
} from './audio-leg.js';
