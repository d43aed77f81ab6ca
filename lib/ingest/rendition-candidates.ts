/**
 * `camwire probe --renditions`: the URLs a camera's smaller profiles are usually served at,
 * derived from its main URL by the vendors' documented patterns (and the cameras of the corpus).
 * Pure string work: which of them answer is for the probe to find out.
 */
import { DEMO_PATH, DEMO_SUB_PATH } from '../rtsp/server/demo-camera.js';

export interface RenditionCandidate {
  /** Which pattern produced it (printed beside the probe's result). */
  pattern: string;
  url: string;
}

/** A path-and-query rewrite: `from` matched against everything after the authority. */
interface Rule {
  pattern: string;
  from: RegExp;
  to: string[];
}

const RULES: readonly Rule[] = [
  // Hikvision: channel N01 is the main stream, N02 the sub stream, N03 a third where enabled.
  { pattern: 'hikvision', from: /(?<p>\/Streaming\/Channels\/\d*?)01(?=\/|\?|$)/i, to: ['$<p>02', '$<p>03'] },
  // Dahua and its OEMs (the corpus's gw_main/gw_sub): subtype=0 main, 1 and 2 extra streams.
  { pattern: 'dahua', from: /(?<p>[?&]subtype=)0(?=&|\/|$)/i, to: ['$<p>1', '$<p>2'] },
  { pattern: 'dahua', from: /(\/cam\/realmonitor\?(?:(?!subtype=)[^#])*?)$/i, to: ['$1&subtype=1'] },
  // Axis: one URL, the resolution chosen by a parameter.
  { pattern: 'axis', from: /(?<p>[?&]resolution=)\d+x\d+/i, to: ['$<p>640x360', '$<p>480x270'] },
  { pattern: 'axis', from: /(\/axis-media\/media\.amp)$/i, to: ['$1?resolution=640x360', '$1?resolution=480x270'] },
  { pattern: 'axis', from: /(\/axis-media\/media\.amp\?(?:(?!resolution=).)*)$/i, to: ['$1&resolution=640x360', '$1&resolution=480x270'] },
  // Reolink (h264Preview_01_main), Foscam (videoMain), many OEMs (/0/main, /live/main).
  { pattern: 'main-sub', from: /(Preview_\d+_|\/)main(?=\/|\?|$)/i, to: ['$1sub'] },
  { pattern: 'main-sub', from: /\/videoMain(?=\/|\?|$)/, to: ['/videoSub'] },
  // TP-Link Tapo and others: stream1 main, stream2 sub.
  { pattern: 'stream1-stream2', from: /\/stream1(?=\/|\?|$)/i, to: ['/stream2'] },
  // Vivotek-style /media/video1.
  { pattern: 'video1-video2', from: /\/media\/video1(?=\/|\?|$)/i, to: ['/media/video2'] },
];

/** camwire's own demo camera: `/demo` and its 360p profile. */
const DEMO_RULE: Rule = { pattern: 'camwire-demo', from: new RegExp(`^${DEMO_PATH}(?=/?$)`), to: [DEMO_SUB_PATH] };

/** The authority (`rtsp://user:pass@host:port`) and the rest; credentials may hold `/` or `@`. */
function splitUrl(url: string): { authority: string; rest: string } | undefined {
  const scheme = /^rtsps?:\/\//i.exec(url);
  if (!scheme) return undefined;
  const afterScheme = url.slice(scheme[0].length);
  const at = afterScheme.lastIndexOf('@');
  const hostStart = at < 0 ? 0 : at + 1;
  const slash = afterScheme.indexOf('/', hostStart);
  const cut = slash < 0 ? afterScheme.length : slash;
  return { authority: url.slice(0, scheme[0].length + cut), rest: afterScheme.slice(cut) || '/' };
}

/** The candidate sub-stream URLs of `mainUrl`, each once, never `mainUrl` itself; [] when none apply. */
export function renditionCandidates(mainUrl: string): RenditionCandidate[] {
  const parts = splitUrl(mainUrl);
  if (!parts) return [];
  const out: RenditionCandidate[] = [];
  const seen = new Set([mainUrl]);
  for (const rule of [DEMO_RULE, ...RULES]) {
    if (!rule.from.test(parts.rest)) continue;
    for (const to of rule.to) {
      const url = parts.authority + parts.rest.replace(rule.from, to);
      if (seen.has(url)) continue;
      seen.add(url);
      out.push({ pattern: rule.pattern, url });
    }
  }
  return out;
}
