import { CamwireError } from '../errors.js';

export type RecoveryErrorCode = 'RTX_NO_OSN' | 'RTX_BUFFER_TOO_SMALL' | 'RECOVERY_BAD_OPTION';

/** Malformed RTX packet, an output buffer too small, or an option out of range. */
export class RecoveryError extends CamwireError {
  declare readonly code: RecoveryErrorCode;
  constructor(code: RecoveryErrorCode, message: string) {
    super(code, message);
  }
}
