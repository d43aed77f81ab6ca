/** The stream API's settings (`http.adminToken`, `http.maxApiBodyBytes`, top-level `persistApi`). */
export interface AdminOptions {
  /** Bearer token of the stream API (POST/PATCH/DELETE /api/streams); no token, no API (403). */
  adminToken?: string;
  /** Largest stream API request body (default 16 KiB): more get 413. */
  maxApiBodyBytes?: number;
}

export const ADMIN_DEFAULTS = Object.freeze({
  maxApiBodyBytes: 16 * 1024,
  persistApi: false,
} as const);
