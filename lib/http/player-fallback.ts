/**
 * The player page's fallback over TCP, as a script the page includes: when WebRTC cannot play
 * (the browser offers no H.264, the server answers OFFER_NO_H264, ICE fails or stays
 * unconnected, or no frame arrives), the page closes its peer connection and plays fragmented
 * MP4 from GET /ws/<stream> through Media Source Extensions. The MSE buffer is kept short: when
 * playback drifts more than FALLBACK_MAX_LAG_S behind the buffered end it jumps ahead, and what
 * was played is removed. `window.camwirePlayer` tells which path plays and why. `?path=webrtc`
 * never falls back, `?path=websocket` goes straight to the fallback.
 *
 * On a stream with renditions camwire moves the fallback between them too: a switch arrives as
 * a new init segment (the other profile's avcC and size) with decode times going on, appended
 * to the same SourceBuffer, through changeType() first when the codec string changes (the
 * profile or level differ). The quality menu pins one over the WebSocket (a text message).
 */

/** Tuning of the page's fallback, declared once (seconds and milliseconds). */
export const PLAYER_FALLBACK_DEFAULTS = Object.freeze({
  /** ICE not connected this long after the answer: fall back. */
  iceTimeoutMs: 4000,
  /** Connected, yet no frame decoded this long after: fall back. */
  frameTimeoutMs: 5000,
  /** Behind the buffered end by more than this, playback jumps ahead. */
  maxLagS: 1.2,
  /** Where a jump lands, behind the buffered end. */
  jumpToLagS: 0.3,
  /** Played media kept in the SourceBuffer. */
  keepBehindS: 10,
});

const D = PLAYER_FALLBACK_DEFAULTS;

export const FALLBACK_SCRIPT = `
const FALLBACK = { iceTimeoutMs: ${D.iceTimeoutMs}, frameTimeoutMs: ${D.frameTimeoutMs}, maxLagS: ${D.maxLagS}, jumpToLagS: ${D.jumpToLagS}, keepBehindS: ${D.keepBehindS} };
let fallbackStarted = false;

function showPath(path, why) {
  window.camwirePlayer = Object.assign(window.camwirePlayer || {}, { path, reason: why });
  $('path').textContent = path === 'webrtc' ? 'WebRTC' : 'WebSocket (MSE) fallback: ' + why;
}

function offersH264(sdp) { return /a=rtpmap:\\d+ H264\\/90000/i.test(sdp); }

/** After the answer: ICE must connect, then a frame must decode, in time; else the fallback. */
function watchWebRtc(target) {
  const iceTimer = setTimeout(() => fallBack(target, 'ICE not connected after ' + FALLBACK.iceTimeoutMs / 1000 + ' s'), FALLBACK.iceTimeoutMs);
  const onState = () => {
    const s = pc.connectionState;
    if (s === 'failed') { clearTimeout(iceTimer); fallBack(target, 'ICE failed'); }
    if (s !== 'connected') return;
    clearTimeout(iceTimer);
    setTimeout(async () => {
      if (fallbackStarted || !pc) return;
      let frames = 0;
      (await pc.getStats()).forEach((x) => { if (x.type === 'inbound-rtp' && x.kind === 'video') frames = x.framesDecoded || 0; });
      if (frames === 0) fallBack(target, 'no frame within ' + FALLBACK.frameTimeoutMs / 1000 + ' s');
      else showPath('webrtc', 'connected');
    }, FALLBACK.frameTimeoutMs);
  };
  pc.addEventListener('connectionstatechange', onState);
}

function wsUrl(target) {
  const u = new URL(target.whep.replace(/^\\/whep/, '/ws'), location.href);
  u.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  // a browser's WebSocket carries no Authorization header: the token goes as ?token=
  if (token) u.searchParams.set('token', token);
  return u.toString();
}

/** avc1.PPCCLL from the init segment's avcC box. */
function codecOf(init) {
  const b = new Uint8Array(init);
  for (let i = 4; i + 8 < b.length; i++) {
    if (b[i] === 0x61 && b[i + 1] === 0x76 && b[i + 2] === 0x63 && b[i + 3] === 0x43) {
      const hex = (x) => x.toString(16).padStart(2, '0');
      return 'avc1.' + hex(b[i + 5]) + hex(b[i + 6]) + hex(b[i + 7]);
    }
  }
  return 'avc1.42e01f';
}

function isInit(data) {
  const b = new Uint8Array(data, 0, Math.min(8, data.byteLength));
  return b.length === 8 && b[4] === 0x66 && b[5] === 0x74 && b[6] === 0x79 && b[7] === 0x70;
}

/** The quality menu and the rendition line, driven by camwire's text messages on the WebSocket. */
function fallbackRenditions(ws, msg) {
  const sel = $('quality');
  if (msg.renditions) {
    clearInterval(window.qualityTimer);
    sel.innerHTML = '';
    for (const name of ['auto', ...msg.renditions]) {
      const o = document.createElement('option');
      o.value = name;
      o.textContent = name === 'auto' ? 'Auto' : name;
      sel.appendChild(o);
    }
    sel.hidden = false;
    sel.onchange = () => ws.send(JSON.stringify({ rendition: sel.value }));
  }
  if (msg.rendition) {
    const r = msg.rendition;
    window.camwirePlayer.rendition = r;
    $('rendition').textContent = ' playing ' + r.current + (r.target !== r.current ? ' (switching to ' + r.target + ')' : '');
  }
}

function fallBack(target, why) {
  if (fallbackStarted) return;
  if (params.get('path') === 'webrtc') { $('path').textContent = 'WebRTC only (?path=webrtc), not falling back: ' + why; return; }
  fallbackStarted = true;
  if (pc) { pc.close(); pc = undefined; }
  if (resource) { fetch(resource, { method: 'DELETE', headers: auth }).catch(() => {}); resource = undefined; }
  clearInterval(timer);
  showPath('websocket', why);
  $('status').textContent = target.label + ': connecting over WebSocket...';
  const video = $('video');
  const ms = new MediaSource();
  video.srcObject = null;
  video.src = URL.createObjectURL(ms);
  // Each entry: the bytes, and for an init segment with a new codec string the type to change to first.
  const queue = [];
  let sb, sbCodec;
  const feed = () => {
    if (!sb || sb.updating || queue.length === 0) return;
    const next = queue.shift();
    try {
      if (next.type && sb.changeType) sb.changeType(next.type);
      sb.appendBuffer(next.data);
    } catch (e) {
      window.camwirePlayer.mseErrors = (window.camwirePlayer.mseErrors || 0) + 1;
      $('status').textContent = 'MSE: ' + e;
    }
  };
  const keepLive = () => {
    const r = video.buffered;
    if (r.length === 0) return;
    const end = r.end(r.length - 1);
    const start = r.start(r.length - 1);
    if (end - video.currentTime > FALLBACK.maxLagS || video.currentTime < start) video.currentTime = Math.max(start, end - FALLBACK.jumpToLagS);
    if (sb && !sb.updating && queue.length === 0 && video.currentTime - r.start(0) > 2 * FALLBACK.keepBehindS) sb.remove(0, video.currentTime - FALLBACK.keepBehindS);
    if (video.paused) video.play().catch(() => {});
  };
  ms.addEventListener('sourceopen', () => {
    const ws = new WebSocket(wsUrl(target));
    ws.binaryType = 'arraybuffer';
    window.camwirePlayer.ws = ws;
    ws.onmessage = (e) => {
      if (typeof e.data === 'string') {
        try { fallbackRenditions(ws, JSON.parse(e.data)); } catch {}
        return;
      }
      let type;
      if (isInit(e.data)) {
        const codec = codecOf(e.data);
        if (sb && codec !== sbCodec) type = 'video/mp4; codecs="' + codec + '"';
        sbCodec = codec;
        window.camwirePlayer.initSegments = (window.camwirePlayer.initSegments || 0) + 1;
      }
      if (!sb) {
        sb = ms.addSourceBuffer('video/mp4; codecs="' + (sbCodec || codecOf(e.data)) + '"');
        sb.addEventListener('updateend', () => { keepLive(); feed(); });
        sb.addEventListener('error', () => { window.camwirePlayer.mseErrors = (window.camwirePlayer.mseErrors || 0) + 1; });
        $('status').textContent = target.label + ': playing over WebSocket';
      }
      queue.push({ data: e.data, type });
      feed();
    };
    ws.onclose = (e) => { $('status').textContent = target.label + ': WebSocket closed (' + e.code + (e.reason ? ' ' + e.reason : '') + ')'; };
    timer = setInterval(() => { keepLive(); showFallbackStats(video); }, 250);
  }, { once: true });
}

let lastFrames;
function showFallbackStats(video) {
  const q = video.getVideoPlaybackQuality ? video.getVideoPlaybackQuality() : { totalVideoFrames: 0, droppedVideoFrames: 0 };
  const r = video.buffered;
  const lag = r.length ? r.end(r.length - 1) - video.currentTime : 0;
  const now = performance.now();
  const fps = lastFrames && now - lastFrames.at >= 900 ? ((q.totalVideoFrames - lastFrames.frames) * 1000) / (now - lastFrames.at) : undefined;
  if (!lastFrames || fps !== undefined) lastFrames = { frames: q.totalVideoFrames, at: now, fps };
  const rows = {
    path: 'websocket', resolution: video.videoWidth + 'x' + video.videoHeight, fps: (lastFrames.fps || 0).toFixed(1),
    frames: q.totalVideoFrames, dropped: q.droppedVideoFrames, lagMs: Math.round(lag * 1000),
  };
  $('stats').innerHTML = '';
  for (const [k, v] of Object.entries(rows)) {
    const d = document.createElement('div');
    d.textContent = k + ': ' + v;
    d.id = 'stat-' + k;
    $('stats').appendChild(d);
  }
}
`;
