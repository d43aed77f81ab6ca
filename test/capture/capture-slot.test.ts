/**
 * CaptureSlot on virtual time: nothing recorded while no capture runs; a capture started later
 * gets the camera session's endpoints and the viewers that joined before it (with their path);
 * one at a time (CAPTURE_RUNNING); bounds checked (CONFIG_INVALID) and enforced on the tick:
 * `seconds` ends it, `maxBytes` ends it before its file would pass the bound; a new capture
 * is a new file; the last one's counters and why it ended stay in stats().
 */
import t from 'tap';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Captures } from '../../lib/capture/captures.js';
import { VirtualClock } from '../support/fake-transport.js';
import { readBlocks } from './blocks.js';

const root = mkdtempSync(join(tmpdir(), 'camwire-capture-slot-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));

function rtp(seq: number, size = 1000): Uint8Array {
  const p = new Uint8Array(size);
  p[0] = 0x80;
  p[1] = 96;
  p[2] = seq >> 8;
  p[3] = seq & 0xff;
  return p;
}

const settle = async (caps: Captures) => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  return caps;
};

t.test('a capture started on a running stream: earlier viewers and the camera session are in it', async (t) => {
  const dir = join(root, 'late');
  const clock = new VirtualClock();
  const caps = new Captures({ dir, always: false }, clock, () => undefined);
  const slot = caps.slot('hall');
  t.match(slot.stats(), { state: 'off', running: false }, 'always: false: off at first');
  slot.cameraSession([{ index: 0, endpoints: { camera: '10.0.0.9', local: '10.0.0.1', cameraRtpPort: 5000, cameraRtcpPort: 5001, localRtpPort: 40000, localRtcpPort: 40001, interleaved: false } }]);
  const viewer = slot.addViewer('hall-1-ab');
  viewer.setPath({ address: '127.0.0.1', port: 50000 }, { address: '127.0.0.1', port: 60000 });
  slot.onWire(0, false, false, rtp(1));
  viewer.sent(rtp(2), false);
  slot.flush();
  t.same(readdirSync(root).includes('late'), false, 'nothing written while no capture runs');

  slot.start({ seconds: 10 });
  t.throws(() => slot.start(), { name: 'CaptureError', code: 'CAPTURE_RUNNING' }, 'one at a time');
  slot.onWire(0, false, false, rtp(3));
  viewer.sent(rtp(4), false);
  viewer.note({ kind: 'rtx', seq: 4 });
  clock.advance(250);
  slot.flush();
  t.match(slot.stats(), { running: true, state: 'writing', seconds: 10, maxBytes: 64 * 1024 * 1024, remainingMs: 9750 });
  const stats = await slot.stop();
  t.equal(stats?.records, 2, 'the two packets after the start');
  t.match(slot.stats(), { running: false, state: 'closed', ended: 'stopped' });
  const blocks = readBlocks(readFileSync(join(dir, readdirSync(dir)[0])));
  const idbNames = blocks.filter((b) => b.type === 1).map((b) => new TextDecoder().decode(b.options.find((o) => o.code === 2)!.value));
  t.same(idbNames, ['camera', 'viewer-hall-1-ab'], 'the camera and the viewer that joined before the start');
  const epbs = blocks.filter((b) => b.type === 6);
  const ipv4 = (b: (typeof epbs)[number]) => [...b.body.subarray(20 + 12, 20 + 20)].join('.');
  t.equal(ipv4(epbs[0]), '10.0.0.9.10.0.0.1', 'the camera packet between the session\'s addresses');
  t.equal(ipv4(epbs[1]), '127.0.0.1.127.0.0.1', 'the viewer packet on its selected path');
  await caps.close();
});

t.test('bounds: checked, and enforced on the tick by seconds and by maxBytes', async (t) => {
  const dir = join(root, 'bounds');
  const clock = new VirtualClock();
  const caps = new Captures({ dir, always: false, maxBytesPerFile: 1 << 20 }, clock, () => undefined);
  const slot = caps.slot('hall');
  for (const bad of [{ maxBytes: 1000 }, { maxBytes: 2 << 20 }, { maxBytes: 70_000.5 }, { seconds: 0 }, { seconds: 90_000 }, { seconds: Number.NaN }]) {
    t.throws(() => slot.start(bad), { name: 'CaptureError', code: 'CONFIG_INVALID' }, JSON.stringify(bad));
  }
  t.match(slot.stats(), { state: 'off' }, 'a refused start leaves nothing running');
  slot.start({ seconds: 2 });
  t.match(slot.stats(), { maxBytes: 1 << 20 }, 'maxBytes defaults to at most maxBytesPerFile');
  clock.advance(1999);
  slot.flush();
  t.equal(slot.stats().running, true, 'running until its seconds are up');
  clock.advance(1);
  slot.flush();
  await slot.stop(); // settles the stop the tick began
  t.match(slot.stats(), { running: false, ended: 'seconds' }, 'ended by seconds');

  t.notOk(existsSync(dir), 'a capture that saw no packet wrote no file');
  clock.advance(1000);
  slot.start({ maxBytes: 100_000 });
  let seq = 0;
  // Until the bound ends it: on a loaded host the writer lags and its bounded queue drops records, so how many ticks that takes varies.
  for (let tick = 0; tick < 400 && slot.stats().running; tick++) {
    for (let i = 0; i < 10; i++) slot.onWire(0, false, false, rtp(seq++));
    clock.advance(250);
    slot.flush();
    await settle(caps);
  }
  await slot.stop();
  const s = slot.stats();
  t.match(s, { running: false, state: 'closed', ended: 'maxBytes' }, 'ended by maxBytes');
  t.equal(readdirSync(dir).length, 1, 'one file');
  const size = statSync(join(dir, s.file!)).size;
  t.ok(size <= 100_000 && size > 80_000, `the file stays within maxBytes (${size})`);
  t.ok(readBlocks(readFileSync(join(dir, s.file!))).some((b) => b.type === 5), 'and ends with its statistics');
  await caps.close();
});

t.test('always (the default): captured from the slot\'s start; release ends it', async (t) => {
  const dir = join(root, 'always');
  const caps = new Captures({ dir }, new VirtualClock(), () => undefined);
  const slot = caps.slot('hall');
  t.equal(slot.stats().running, true);
  t.notOk(slot.stats().maxBytes, 'unbounded');
  await caps.release(slot);
  t.match(slot.stats(), { running: false, ended: 'stream-removed' });
});
