export { DelayDetector, DELAY_DETECTOR_DEFAULTS, type BandwidthUsage, type DelayDetectorOptions } from './delay-detector.js';
export { AimdRate, AIMD_RATE_DEFAULTS } from './aimd-rate.js';
export {
  BandwidthEstimator, BANDWIDTH_ESTIMATOR_DEFAULTS, type BandwidthEstimatorOptions, type BandwidthEstimatorStats,
} from './bandwidth-estimator.js';
export { RenditionChooser, RENDITION_CHOOSER_DEFAULTS, type RenditionChooserOptions, type RenditionLoad, type ProbeShown } from './rendition-chooser.js';
export { ProbeBitrate, PROBE_BITRATE_DEFAULTS, type ProbeClusterResult } from './probe-bitrate.js';
export { ProbeController, PROBE_CONTROLLER_DEFAULTS, type ProbeControllerOptions, type ProbePlan } from './probe-controller.js';
