/**
 * Headers every camwire HTTP response carries, error responses included (they are set before
 * routing, and writeHead merges them).
 */
import type { ServerResponse } from 'node:http';

export function setSecurityHeaders(res: ServerResponse): void {
  // The player page is opened as /watch/x?token=...: without this, a browser would send that
  // URL, token and all, as the Referer of anything the page loads or links to elsewhere.
  res.setHeader('referrer-policy', 'no-referrer');
}
