/**
 * The fallback's real consumer: Media Source Extensions in headless Chromium. The demo clip,
 * one frame per fragment (the live shape), with the RTP wrap and a camera restart inside, is
 * appended to a SourceBuffer: it must buffer as one unbroken range, play to its end at the
 * clip's size, and raise no error.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { Mp4Muxer } from '../../lib/mp4/muxer.js';
import { splitAnnexB } from '../../lib/h264/nal.js';
import { parseSps, profileLevelId } from '../../lib/h264/sps.js';
import { loadH264Clip } from '../../lib/rtsp/server/h264-clip.js';
import { missingTool } from '../../test/support/env.js';
import { demoClip } from '../../test/support/demo-clip.js';
import { launchChromium, type Chromium } from '../../test/support/chromium.js';

interface PlayResult { supported: boolean; errors: string[]; ranges: [number, number][]; width: number; height: number; frames: number; ended: boolean }

t.test('Chromium MSE plays the muxer\'s fragments to the end', async (t) => {
  const why = missingTool('chromium', '--version');
  if (why) { t.comment('skip: ' + why); return; }
  const source = await demoClip();
  if (!source.path) { t.comment('skip: ' + source.skip); return; }
  const clip = loadH264Clip(splitAnnexB(readFileSync(source.path)));
  const sps = parseSps(clip.sps);
  const muxer = new Mp4Muxer([{ kind: 'video', codec: 'h264', sps: clip.sps, pps: clip.pps }]);
  const fragments: string[] = [];
  let ts = 0xffff_ffff - 3000 * 10;
  clip.frames.forEach((frame, i) => {
    if (i === clip.keyframes[2]) ts = 0x9000_0000; // far beyond timestampJumpMs: a restart
    const f = muxer.pushVideo(0, { nalus: frame.nalus, timestamp: ts >>> 0, keyframe: frame.keyframe });
    if (f) fragments.push(Buffer.from(f).toString('base64'));
    ts += 3000;
  });
  fragments.push(Buffer.from(muxer.flush(0) as Uint8Array).toString('base64'));
  const init = Buffer.from(muxer.initSegment()).toString('base64');
  const mime = `video/mp4; codecs="avc1.${profileLevelId(sps)}"`;

  let browser: Chromium | undefined;
  try {
    browser = await launchChromium();
    const page = await browser.newPage();
    const result = await page.evaluate(async ({ mime, init, fragments }): Promise<PlayResult> => {
      // the browser's globals (this file compiles without the DOM types)
      const g = globalThis as any;
      const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const errors: string[] = [];
      const none: PlayResult = { supported: false, errors, ranges: [], width: 0, height: 0, frames: 0, ended: false };
      if (!g.MediaSource.isTypeSupported(mime)) return none;
      const video = g.document.createElement('video');
      video.muted = true;
      g.document.body.append(video);
      video.onerror = () => errors.push(`video: ${video.error?.message}`);
      const ms = new g.MediaSource();
      video.src = URL.createObjectURL(ms);
      await new Promise((r) => ms.addEventListener('sourceopen', r, { once: true }));
      const sb = ms.addSourceBuffer(mime);
      sb.onerror = () => errors.push('sourcebuffer error');
      for (const b64 of [init, ...fragments]) {
        sb.appendBuffer(bytes(b64));
        await new Promise((r) => sb.addEventListener('updateend', r, { once: true }));
        if (errors.length) break;
      }
      ms.endOfStream();
      const ranges: [number, number][] = [];
      for (let i = 0; i < sb.buffered.length; i++) ranges.push([sb.buffered.start(i), sb.buffered.end(i)]);
      video.playbackRate = 4;
      const ended = new Promise<boolean>((r) => { video.onended = () => r(true); setTimeout(() => r(false), 15_000); });
      await video.play().catch((e: unknown) => errors.push(`play: ${String(e)}`));
      const done = await ended;
      return { supported: true, errors, ranges, width: video.videoWidth, height: video.videoHeight, frames: video.getVideoPlaybackQuality().totalVideoFrames, ended: done };
    }, { mime, init, fragments });
    t.ok(result.supported, `${mime} is supported`);
    t.same(result.errors, [], 'no error');
    t.equal(result.ranges.length, 1, 'one unbroken buffered range');
    t.equal(result.ranges[0]?.[0], 0);
    t.ok(Math.abs((result.ranges[0]?.[1] ?? 0) - clip.frames.length / 30) < 0.05, `buffered to ${result.ranges[0]?.[1]} s`);
    t.ok(result.ended, 'played to the end');
    t.same([result.width, result.height], [sps.width, sps.height]);
    t.ok(result.frames >= clip.frames.length * 0.9, `${result.frames} of ${clip.frames.length} frames shown or dropped`);
  } finally {
    await browser?.close();
  }
});
