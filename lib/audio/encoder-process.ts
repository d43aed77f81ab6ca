/**
 * One encoder child process with its pipes. node:child_process is imported on first use only,
 * so camwire/audio stays loadable where there are no processes (and costs nothing until a
 * viewer wants transcoded audio). Exit is reported once, with the tail of stderr for the reason.
 */
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

export interface EncoderProcessEvents {
  output(chunk: Uint8Array): void;
  /** stdin can take more after a write() returned false. */
  drain(): void;
  /** Once per process: it exited (code/signal) or never started (`spawnError`). */
  exit(code: number | null, stderrTail: string, spawnError: NodeJS.ErrnoException | undefined): void;
}

export interface EncoderProcess {
  /** false: wait for `drain` before writing more. */
  write(bytes: Uint8Array): boolean;
  kill(): void;
}

/** Bytes of stderr kept for the failure message. */
const STDERR_TAIL_BYTES = 2048;

let childProcess: Promise<typeof import('node:child_process')> | undefined;

export async function startEncoderProcess(path: string, args: readonly string[], events: EncoderProcessEvents): Promise<EncoderProcess> {
  childProcess ??= import('node:child_process');
  const { spawn } = await childProcess;
  const child: ChildProcessByStdio<Writable, Readable, Readable> = spawn(path, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let exited = false;
  const exit = (code: number | null, error?: NodeJS.ErrnoException) => {
    if (exited) return;
    exited = true;
    events.exit(code, stderr, error);
  };
  child.stdout.on('data', (chunk: Buffer) => events.output(chunk));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderr = (stderr + text).slice(-STDERR_TAIL_BYTES);
  });
  child.stdin.on('drain', () => events.drain());
  // EPIPE after the process died: its exit tells why
  child.stdin.on('error', () => undefined);
  child.on('error', (error: NodeJS.ErrnoException) => exit(null, error));
  child.on('close', (code: number | null) => exit(code));
  return {
    write: (bytes) => child.stdin.write(bytes),
    kill: () => {
      exited = true;
      child.kill('SIGKILL');
    },
  };
}
