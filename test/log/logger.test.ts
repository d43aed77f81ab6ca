import t from 'tap';
import fc from 'fast-check';
import { createLogger } from '../../lib/log/logger.js';
import { redactFields } from '../../lib/log/redact.js';
import { FakeTimers } from '../support/fake-clock.js';

function setup(o: Parameters<typeof createLogger>[2] = {}) {
  const clock = new FakeTimers();
  const lines: string[] = [];
  const log = createLogger(clock, (l) => lines.push(l), o);
  return { clock, lines, log };
}

t.test('text lines: time, level, event, fields; below the level nothing', (t) => {
  const { lines, log } = setup({ level: 'info' });
  log.info('source.playing', { stream: 'cam', transport: 'udp', width: 1280, note: 'two words' });
  log.debug('source.connecting', { stream: 'cam' });
  t.equal(lines.length, 1);
  t.match(lines[0], /^\d{4}-\d\d-\d\dT[\d:.]+Z INFO source\.playing stream=cam transport=udp width=1280 note="two words"\n$/);
  t.notOk(log.enabled('debug'));
  t.ok(log.enabled('error'));
  t.end();
});

t.test('json lines: one object per line with time, level, event and the fields', (t) => {
  const { lines, log } = setup({ format: 'json', level: 'debug' });
  log.debug('viewer.join', { stream: 'cam', address: '127.0.0.1' });
  t.equal(lines.length, 1);
  t.ok(lines[0].endsWith('\n'));
  const o = JSON.parse(lines[0]) as Record<string, unknown>;
  t.match(o, { level: 'debug', event: 'viewer.join', stream: 'cam', address: '127.0.0.1' });
  t.type(o.time, 'string');
  t.end();
});

t.test('identical warnings fold into one line and a count when the window closes', async (t) => {
  const { clock, lines, log } = setup({ foldWindowMs: 60_000 });
  for (let i = 0; i < 13; i++) log.warn('source.lost', { stream: 'cam', code: 'RTSP_CONNECT_FAILED', retryInS: 30 });
  log.warn('source.lost', { stream: 'other', code: 'RTSP_CONNECT_FAILED', retryInS: 30 });
  t.equal(lines.length, 2, 'the first of each, the repeats held back');
  await clock.advance(60_000);
  t.equal(lines.length, 3, 'one summary (the other had no repeats)');
  t.match(lines[2], /WARN source\.lost stream=cam code=RTSP_CONNECT_FAILED retryInS=30 \.\.\. 12 more in 60 s\n$/);
  log.warn('source.lost', { stream: 'cam', code: 'RTSP_CONNECT_FAILED', retryInS: 30 });
  t.equal(lines.length, 4, 'a new window prints again');
  t.end();
});

t.test('json folding carries the count; close() prints pending counts', (t) => {
  const { lines, log } = setup({ format: 'json' });
  log.error('auth.refused', { address: '10.0.0.1' });
  log.error('auth.refused', { address: '10.0.0.1' });
  log.close();
  t.equal(lines.length, 2);
  t.match(JSON.parse(lines[1]), { event: 'auth.refused', repeated: 1, windowS: 60 });
  t.end();
});

t.test('fold keys are bounded: beyond maxFoldKeys an event folds whatever its fields', async (t) => {
  const { clock, lines, log } = setup({ maxFoldKeys: 2 });
  for (let i = 0; i < 2; i++) for (const a of ['a', 'b', 'c', 'd']) log.warn('x', { a });
  t.equal(lines.length, 3, 'a and b folded each, c printed, d and the second c folded with it');
  await clock.advance(60_000);
  t.match(lines.at(-1), /WARN x similar=true \.\.\. 3 more in 60 s/);
  t.end();
});

t.test('no secret reaches a line', (t) => {
  const { lines, log } = setup({ format: 'json' });
  log.info('stream.added', {
    url: 'rtsp://admin:hunter22@cam.example/live', path: '/watch/cam?token=abc.def&x=1', token: 'plain', adminToken: 'zzz',
    note: 'bearer eyJhbGciOiJIUzI1NiJ9.eyJzdHJlYW1zIjpbXX0.c2ln here', keyframes: 3,
  });
  const line = lines[0];
  for (const secret of ['hunter22', 'abc.def', 'plain', 'zzz', 'eyJhbGci']) t.notOk(line.includes(secret), `no ${secret}`);
  t.match(JSON.parse(line), { url: 'rtsp://***@cam.example/live', path: '/watch/cam?token=***&x=1', keyframes: 3 });
  t.end();
});

t.test('property: a password in a URL never survives redaction', (t) => {
  fc.assert(
    fc.property(fc.stringMatching(/^[A-Za-z0-9!$%^*()_+~-]{6,20}$/), fc.string({ maxLength: 20 }), (password, prefix) => {
      const out = redactFields({ u: `${prefix} rtsp://user:${password}@10.0.0.1:554/x` }).u as string;
      return !out.includes(`:${password}@`);
    }),
  );
  t.end();
});
