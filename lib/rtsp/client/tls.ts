/**
 * RTSPS (RTSP over TLS, `rtsps://`): the TLS side of the client's control connection. Trust is
 * the system's CA store plus Node's bundled roots and `NODE_EXTRA_CA_CERTS` (Node drops that one
 * as soon as a `ca` is passed, so it is added here), plus a stream's own `ca` file. Handshake and
 * certificate failures become RtspClientError `RTSP_TLS` naming the reason, never a stack.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { connect as tlsConnect, rootCertificates, type TLSSocket } from 'node:tls';
import { RtspClientError } from './errors.js';

export interface RtspTlsOptions {
  /** PEM file of a CA (or the camera's own self-signed certificate) trusted besides the system's. */
  ca?: string;
  /** Skip certificate verification (the traffic is still encrypted, but to anyone). Default false. */
  insecure?: boolean;
  /** Name the certificate must carry, and sent as SNI. Default: the URL's host. */
  servername?: string;
}

export const RTSP_TLS_DEFAULTS = Object.freeze({ insecure: false } as const satisfies Required<Pick<RtspTlsOptions, 'insecure'>>);

/** Where Debian/Ubuntu, Fedora/RHEL and Alpine/macOS keep the system's CA bundle (SSL_CERT_FILE first, as OpenSSL does). */
const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];

let systemCas: string[] | undefined;

function readPem(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Node's roots, the system bundle and NODE_EXTRA_CA_CERTS, read once per process. */
function defaultCas(): string[] {
  if (systemCas) return systemCas;
  const cas: string[] = [...rootCertificates];
  const envFile = process.env.SSL_CERT_FILE;
  for (const path of envFile ? [envFile, ...SYSTEM_BUNDLES] : SYSTEM_BUNDLES) {
    const pem = readPem(path);
    if (pem) {
      cas.push(pem);
      break;
    }
  }
  const extra = process.env.NODE_EXTRA_CA_CERTS ? readPem(process.env.NODE_EXTRA_CA_CERTS) : undefined;
  if (extra) cas.push(extra);
  systemCas = cas;
  return cas;
}

/** The CAs a connection trusts; the stream's `ca` file is read at every connect, so a renewed one is picked up. */
export function trustedCas(caFile: string | undefined): string[] {
  if (caFile === undefined) return defaultCas();
  const pem = readPem(caFile);
  if (pem === undefined) throw new RtspClientError('RTSP_TLS', `cannot read the CA file ${caFile}`);
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new RtspClientError('RTSP_TLS', `the CA file ${caFile} holds no PEM certificate`);
  return [...defaultCas(), pem];
}

/** Starts a TLS connection; the caller waits for `secureConnect`. Throws RTSP_TLS for an unreadable `ca`. */
export function connectTls(host: string, port: number, o: RtspTlsOptions): TLSSocket {
  const insecure = o.insecure ?? RTSP_TLS_DEFAULTS.insecure;
  const servername = o.servername ?? (isIP(host) === 0 ? host : undefined);
  return tlsConnect({
    host,
    port,
    ca: insecure ? undefined : trustedCas(o.ca),
    rejectUnauthorized: !insecure,
    // Node checks the certificate against servername when given, else against the host.
    ...(servername !== undefined ? { servername } : {}),
  });
}

/** Certificate verdicts OpenSSL reports, in words a camera's owner can act on. */
const CERT_REASONS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the camera\'s certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'the certificate chain ends in an untrusted self-signed CA',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the certificate is signed by a CA that is not trusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the certificate is signed by a CA that is not trusted',
  UNABLE_TO_GET_ISSUER_CERT: 'the certificate\'s issuer is unknown',
  CERT_HAS_EXPIRED: 'the certificate has expired',
  CERT_NOT_YET_VALID: 'the certificate is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate is for another name',
  CERT_SIGNATURE_FAILURE: 'the certificate\'s signature is invalid',
};

const REMEDY = 'trust it with rtsp.tls.ca, or skip verification with rtsp.tls.insecure';

/** A socket error before or during the handshake as RTSP_TLS, or undefined when it is not about TLS. */
export function tlsFailure(e: NodeJS.ErrnoException, handshaking: boolean): RtspClientError | undefined {
  const code = e.code ?? '';
  const reason = CERT_REASONS[code];
  if (reason) return new RtspClientError('RTSP_TLS', `TLS certificate refused: ${reason} (${code}); ${REMEDY}`);
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || /certificate|ssl|tls/i.test(code)) {
    return new RtspClientError('RTSP_TLS', `TLS handshake failed: ${code}${code === 'ERR_SSL_WRONG_VERSION_NUMBER' ? ' (the port does not speak TLS: try rtsp://)' : ''}`);
  }
  if (handshaking && (code === 'ECONNRESET' || code === 'EPIPE')) {
    return new RtspClientError('RTSP_TLS', `the server closed the connection during the TLS handshake (${code}): is it an rtsps port?`);
  }
  return undefined;
}
