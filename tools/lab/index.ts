// The loss lab (issue 7). The CLI entry point is ./run.js (`npm run lab`); it is not re-exported.
export * from './scenario.js';
export * from './record.js';
export * from './svg-chart.js';
export * from './report.js';
export * from './bandwidth-record.js';
export * from './bandwidth-report.js';
export * from './bandwidth-scenarios.js';
export * from './wire-counter.js';
export * from './impaired-pipe.js';
export * from './rtsp-proxy.js';
export * from './lab-deps.js';
export { LabBrowser, STAT_FIELDS, answerCandidatePort, type BrowserStats, type BrowserEvents } from './browser.js';
export { startCamera, labClip, cameraMissing, RENDITION_CLIPS, type LabCamera } from './cameras.js';
export { runOne, type RunOptions } from './run-one.js';
export { runMatrix, type MatrixOptions } from './matrix.js';
