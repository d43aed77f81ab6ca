/**
 * Base of every error camwire throws on purpose. `code` is stable and meant for
 * programs (switch on it); `message` is for humans and may change.
 */
export class CamwireError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}
