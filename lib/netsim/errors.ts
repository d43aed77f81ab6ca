import { CamwireError } from '../errors.js';

export type NetsimErrorCode = 'NETSIM_BAD_OPTION';

export class NetsimError extends CamwireError {
  declare readonly code: NetsimErrorCode;
  constructor(code: NetsimErrorCode, message: string) {
    super(code, message);
  }
}
