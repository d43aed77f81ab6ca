/**
 * The player page: lists streams, plays one over WHEP in a muted autoplay <video> (or the
 * WebSocket fallback), live stats; the camera's audio with an unmute button (browsers block
 * autoplay with sound), a level meter and the audio stats.
 */
import { FALLBACK_SCRIPT } from './player-fallback.js';
import { QUALITY_MENU_HTML, QUALITY_SCRIPT } from './player-quality.js';

/**
 * The WHEP draft's Link headers (rel="ice-server"), asked for with OPTIONS before the offer so
 * the browser's own ICE can relay through TURN (over TCP where UDP is blocked).
 */
const ICE_SERVERS_SCRIPT = `async function iceServers(whep) {
  try {
    const r = await fetch(whep, { method: 'OPTIONS', headers: auth });
    const out = [];
    const re = /<([^>]*)>((?:\\s*;\\s*[A-Za-z-]+="(?:[^"\\\\]|\\\\.)*")*)/g;
    for (const m of (r.headers.get('link') || '').matchAll(re)) {
      const p = {};
      for (const q of m[2].matchAll(/([A-Za-z-]+)="((?:[^"\\\\]|\\\\.)*)"/g)) p[q[1].toLowerCase()] = q[2].replace(/\\\\(.)/g, '$1');
      if (p.rel !== 'ice-server') continue;
      out.push(p.username === undefined ? { urls: m[1] } : { urls: m[1], username: p.username, credential: p.credential });
    }
    return out;
  } catch { return []; }
}`;

/** The WebRTC path's stats from getStats(), once a second. */
const WEBRTC_STATS_SCRIPT = `async function showStats() {
  if (!pc) return;
  const report = await pc.getStats();
  let s;
  report.forEach((x) => { if (x.type === 'inbound-rtp' && x.kind === 'video') s = x; });
  if (!s) return;
  const now = performance.now();
  const fps = last ? ((s.framesDecoded - last.frames) * 1000) / (now - last.at) : 0;
  last = { frames: s.framesDecoded, at: now };
  const rows = {
    resolution: (s.frameWidth || 0) + 'x' + (s.frameHeight || 0), fps: fps.toFixed(1), framesDecoded: s.framesDecoded,
    packetsLost: s.packetsLost, nackCount: s.nackCount, pliCount: s.pliCount, freezeCount: s.freezeCount,
    jitterMs: ((s.jitter || 0) * 1000).toFixed(1), ...(await audioRows()),
  };
  $('stats').innerHTML = '';
  for (const [k, v] of Object.entries(rows)) {
    const d = document.createElement('div');
    d.textContent = k + ': ' + v;
    d.id = 'stat-' + k;
    $('stats').appendChild(d);
  }
}`;

/** What the page says when the WHEP POST is refused; an H.265 camera and a browser without H.265 in plain words. */
const REFUSAL_SCRIPT = `function refusal(status, reason) {
  if (reason.startsWith('OFFER_NO_H265')) return 'this browser cannot play H.265 (the camera sends H.265)';
  return 'WHEP ' + status + ': ' + reason;
}`;

/**
 * Audio: the page asks for an audio m-line beside the video; when the answer carries one, the
 * unmute button and the meter show. The meter reads inbound-rtp audioLevel five times a second.
 */
const AUDIO_SCRIPT = `const audio = { red: false, timer: 0 };
function audioAnswered(sdp) {
  const m = sdp.split(/\\r?\\n(?=m=)/).find((s) => s.startsWith('m=audio') && !/^m=audio 0 /.test(s));
  if (!m || /a=inactive/.test(m)) return;
  audio.red = /a=rtpmap:\\d+ red\\/48000/i.test(m);
  $('audio').hidden = false;
  audio.timer = setInterval(showLevel, 200);
}
function toggleMute() {
  const v = $('video');
  v.muted = !v.muted;
  if (!v.muted) v.play().catch(() => {});
  $('unmute').textContent = v.muted ? 'Unmute' : 'Mute';
}
async function inboundAudio() {
  let a, codecs = new Map();
  (await pc.getStats()).forEach((x) => {
    if (x.type === 'codec') codecs.set(x.id, x.mimeType);
    if (x.type === 'inbound-rtp' && x.kind === 'audio') a = x;
  });
  if (a) a.codec = (codecs.get(a.codecId) || '').replace('audio/', '');
  return a;
}
async function showLevel() {
  const a = await inboundAudio();
  if (a) $('level').value = a.audioLevel || 0;
}
async function audioRows() {
  const a = await inboundAudio();
  if (!a) return {};
  const total = a.totalSamplesReceived || 0;
  return { audioCodec: a.codec, audioPacketsLost: a.packetsLost, audioConcealed: (total ? (100 * (a.concealedSamples || 0)) / total : 0).toFixed(2) + '%', audioRed: audio.red ? 'on' : 'off' };
}`;

const AUDIO_STYLE = `#audio{margin:.6em 0;display:flex;gap:.8em;align-items:center}
#audio button{font:inherit;padding:.3em .9em}
#level{width:12em}`;

export function playerPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>camwire</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;background:#111;color:#eee}
header{padding:.6em 1em;background:#222;display:flex;gap:1em;align-items:center}
header h1{font-size:1.1em;margin:0}
#streams a{color:#9cf;margin-right:.8em}
main{padding:1em}
video{width:100%;max-width:1280px;background:#000;display:block}
#stats{font-family:monospace;margin-top:.6em;display:grid;grid-template-columns:repeat(auto-fill,minmax(11em,1fr));gap:.3em;max-width:1280px}
#stats div{background:#222;padding:.3em .5em}
#status{color:#fc6}
${AUDIO_STYLE}
#path{color:#9c9}
</style></head>
<body>
<header><h1>camwire</h1><nav id="streams"></nav><span id="status"></span><span id="path"></span>${QUALITY_MENU_HTML}</header>
<main><video id="video" muted autoplay playsinline></video>
<div id="audio" hidden><button id="unmute" onclick="toggleMute()">Unmute</button><label>level <meter id="level" min="0" max="1" value="0"></meter></label></div>
<div id="stats"></div></main>
<script>
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
// With a token (opened as ?token=...), every call carries it as a bearer header, and links keep it.
const token = params.get('token');
const auth = token ? { authorization: 'Bearer ' + token } : {};
const keep = token ? '?token=' + encodeURIComponent(token) : '';
let pc, resource, timer, last;

function pick() {
  const m = location.pathname.match(/^\\/watch\\/([^/]+)$/);
  if (m) return { whep: '/whep/' + m[1], label: decodeURIComponent(m[1]) };
  const src = params.get('src') || params.get('id');
  if (src) return { whep: '/whep?src=' + encodeURIComponent(src), label: src };
  return null;
}

async function listStreams() {
  try {
    const r = await fetch('/api/streams', { headers: auth });
    const list = await r.json();
    $('streams').innerHTML = '';
    for (const s of list.streams) {
      const a = document.createElement('a');
      a.href = '/watch/' + encodeURIComponent(s.name) + keep;
      a.textContent = s.name + ' (' + s.sourceState + ', ' + s.viewers.length + ' viewers)';
      $('streams').appendChild(a);
    }
    return list.streams;
  } catch (e) { $('status').textContent = 'cannot list streams: ' + e; return []; }
}

${ICE_SERVERS_SCRIPT}${QUALITY_SCRIPT}
${AUDIO_SCRIPT}
${FALLBACK_SCRIPT}
${REFUSAL_SCRIPT}
async function play(target) {
  $('status').textContent = 'connecting to ' + target.label + '...';
  if (params.get('path') === 'websocket') return fallBack(target, 'asked for with ?path=websocket');
  if (typeof RTCPeerConnection === 'undefined') return fallBack(target, 'no WebRTC in this browser');
  pc = new RTCPeerConnection({ iceServers: await iceServers(target.whep) });
  window.camwirePlayer = { pc, path: 'webrtc', reason: 'trying' };
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  const media = new MediaStream();
  $('video').srcObject = media;
  pc.ontrack = (e) => { media.addTrack(e.track); $('video').play().catch(() => {}); };
  pc.onconnectionstatechange = () => { $('status').textContent = target.label + ': ' + pc.connectionState; };
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((res) => {
    if (pc.iceGatheringState === 'complete') return res();
    const t = setTimeout(res, 1000);
    pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') { clearTimeout(t); res(); } };
  });
  if (!offersH264(pc.localDescription.sdp)) return fallBack(target, 'this browser offers no H.264 over WebRTC');
  const r = await fetch(target.whep, { method: 'POST', headers: { 'content-type': 'application/sdp', ...auth }, body: pc.localDescription.sdp });
  if (r.status !== 201) {
    const text = await r.text();
    if (r.headers.get('x-camwire-error') === 'OFFER_NO_H264') return fallBack(target, 'the server found no H.264 in the offer');
    $('status').textContent = refusal(r.status, text); pc.close(); return;
  }
  resource = new URL(r.headers.get('location'), location.href).toString();
  const answer = await r.text();
  await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  audioAnswered(answer);
  qualityMenu(r, resource).catch(() => {});
  watchWebRtc(target);
  timer = setInterval(showStats, 1000);
}

${WEBRTC_STATS_SCRIPT}
addEventListener('pagehide', () => { if (resource) navigator.sendBeacon && fetch(resource, { method: 'DELETE', keepalive: true, headers: auth }); });

(async () => {
  const streams = await listStreams();
  let target = pick();
  if (!target && streams.length) target = { whep: '/whep/' + encodeURIComponent(streams[0].name), label: streams[0].name };
  if (target) await play(target).catch((e) => fallBack(target, 'WebRTC failed: ' + e));
  else $('status').textContent = 'no streams configured';
  setInterval(listStreams, 5000);
})();
</script></body></html>`;
}
