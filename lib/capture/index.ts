export * from './pcapng.js';
export * from './ip-udp.js';
export * from './address.js';
export * from './notes.js';
export * from './capture-queue.js';
export { CaptureDirectory } from './capture-dir.js';
export { CaptureWriter, type CaptureState } from './capture-writer.js';
export { StreamCapture, ViewerCapture, type CaptureStats, type StreamCaptureOptions } from './stream-capture.js';
export { Captures, CAPTURE_DEFAULTS, type CaptureConfig } from './captures.js';
