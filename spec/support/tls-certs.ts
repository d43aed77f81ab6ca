/** A throwaway CA and a camera certificate it signs (openssl), for RTSPS specs. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCerts {
  dir: string;
  /** The CA's certificate (what a client trusts). */
  ca: string;
  /** The camera's certificate (SAN: IP 127.0.0.1 and DNS camera.test) and key. */
  cert: string;
  key: string;
  remove(): void;
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}

export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'camwire-tls-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=camwire test CA'], dir);
  openssl(['req', ...ec, '-keyout', 'cam.key', '-out', 'cam.csr', '-subj', '/CN=camera.test'], dir);
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:camera.test\n');
  openssl(['x509', '-req', '-in', 'cam.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'cam.pem', '-days', '2', '-extfile', 'san.ext'], dir);
  return {
    dir,
    ca: join(dir, 'ca.pem'),
    cert: join(dir, 'cam.pem'),
    key: join(dir, 'cam.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
