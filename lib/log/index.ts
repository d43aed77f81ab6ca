/** The operator log (lib/log): levels, text or JSON lines, folding of repeats, redaction of secrets. */
export { createLogger, silentLogger, LOGGER_DEFAULTS, LOG_FORMATS, LOG_LEVELS } from './logger.js';
export type { ClosableLogger, LogFields, LogFormat, Logger, LoggerOptions, LogLevel } from './logger.js';
export { redactFields, redactValue } from './redact.js';
export { systemClock } from '../clock.js';
