/**
 * A real ffmpeg that dies mid-stream: the transcoder restarts it, and the packets of the new
 * process land on the camera's timeline again (at an access unit it wrote to the new pipe, less
 * the new encoder's pre-skip), the old process's packets untouched.
 */
import t from 'tap';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scaleTimestampTo48k } from '../../lib/audio/index.js';
import { tsAdd, tsDistance } from '../../lib/rtp/index.js';
import { parseAdts } from '../../test/support/adts.js';
import { missingTool } from '../../test/support/env.js';
import { runTool } from '../../test/support/spawn-tool.js';
import { transcodeAll } from '../../test/support/transcode-run.js';

const why = missingTool('ffmpeg');
if (why) {
  t.comment('skip: ' + why);
} else {
  t.test('ffmpeg exits after its first 6000 bytes of input: one restart, both runs on the timeline', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'camwire-restart-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const aac = join(dir, 'tone.aac');
    const enc = await runTool('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=16000:duration=3', '-c:a', 'aac', '-b:a', '48k', aac]);
    t.equal(enc.code, 0);
    // the first run reads 6000 bytes then sees its input end (and exits); later runs are plain ffmpeg
    const wrapper = join(dir, 'ffmpeg');
    writeFileSync(wrapper, `#!/bin/sh\nif [ ! -e ${dir}/ran ]; then touch ${dir}/ran; head -c 6000 | ffmpeg "$@"; exit 1; fi\nexec ffmpeg "$@"\n`);
    chmodSync(wrapper, 0o755);

    const stream = parseAdts(readFileSync(aac));
    const ts0 = 123_456;
    const frames = stream.frames.map((data, i) => ({ data, timestamp: tsAdd(ts0, i * 1024) }));
    // four times real time: the input goes on while ffmpeg restarts
    const { timestamps, transcoder } = await transcodeAll({ audioSpecificConfig: stream.audioSpecificConfig, clockRate: 16_000, channels: 1, frames }, { ffmpegPath: wrapper, restartDelayMs: 50 }, 16);
    t.equal(transcoder.stats.restarts, 1);
    const base = tsAdd(scaleTimestampTo48k(ts0, 16_000), -312);
    const jump = timestamps.findIndex((ts, i) => i > 0 && ts !== tsAdd(timestamps[i - 1], 960));
    t.ok(jump > 0, `the first run made ${jump} packets`);
    t.ok(timestamps.slice(0, jump).every((ts, i) => ts === tsAdd(base, 960 * i)), 'first run: contiguous from the first access unit');
    const restartAt = tsDistance(base, timestamps[jump]);
    t.equal(restartAt % 3072, 0, `second run starts at an access unit's time less the pre-skip (${restartAt / 3072} AUs in)`);
    t.ok(restartAt >= jump * 960, 'after the first run\'s output');
    t.ok(timestamps.slice(jump).every((ts, i) => ts === tsAdd(timestamps[jump], 960 * i)), 'second run: contiguous');
    t.ok(timestamps.length - jump > 50, `${timestamps.length - jump} packets after the restart`);
  });
}
