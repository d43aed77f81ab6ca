/**
 * A second origin for the standard WHEP clients: an HTTP server on its own port that serves one
 * page per client and the clients' files straight from node_modules (no bundler). `whip-whep`
 * ships an ES module and loads as one. `@eyevinn/webrtc-player` ships CommonJS (parcel's
 * output): the page runs it through a ten-line require() over synchronous fetches, with its
 * `events` dependency real and its ad (`@eyevinn/csai-manager`) and WHPP
 * (`@eyevinn/whpp-client`) modules empty, as its WHEP adapter touches neither.
 * Each page records the fetches the client makes (method, status or the network error a CORS
 * refusal gives) so a spec can check what crossed origins.
 */
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

const require = createRequire(import.meta.url);
const eyevinnMain = require.resolve('@eyevinn/webrtc-player');
const FILES: Record<string, string> = {
  '/m/whep.js': require.resolve('whip-whep/whep.js'),
  '/m/webrtc-player.js': eyevinnMain,
  '/m/events.js': createRequire(eyevinnMain).resolve('events/events.js'),
};

/** Records every fetch of the page and each event the page's EventSources receive (before the client's own listeners run). */
const RECORDER = `
  window.requests = [];
  const nativeFetch = window.fetch.bind(window);
  window.fetch = async (url, init = {}) => {
    const entry = { method: init.method || 'GET', url: String(url) };
    window.requests.push(entry);
    try {
      const res = await nativeFetch(url, init);
      entry.status = res.status;
      return res;
    } catch (err) {
      entry.error = String(err);
      throw err;
    }
  };
  window.sse = [];
  const NativeEventSource = window.EventSource;
  window.EventSource = class extends NativeEventSource {
    constructor(url, init) {
      super(url, init);
      window.eventSourceUrl = String(url);
      for (const type of ['active', 'inactive', 'layers', 'viewercount']) {
        this.addEventListener(type, (e) => window.sse.push({ type, data: JSON.parse(e.data) }));
      }
    }
  };
  window.videoStats = async (pc) => {
    let s;
    (await pc.getStats()).forEach((x) => { if (x.type === 'inbound-rtp' && x.kind === 'video') s = x; });
    return s ? { framesDecoded: s.framesDecoded || 0, w: s.frameWidth || 0, h: s.frameHeight || 0 } : undefined;
  };
  window.whepUrl = new URLSearchParams(location.search).get('whep');
`;

const WHIP_WHEP_PAGE = `<!doctype html><video muted autoplay playsinline></video>
<script>${RECORDER}</script>
<script type="module">
  import { WHEPClient } from '/m/whep.js';
  const pc = new RTCPeerConnection();
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  pc.ontrack = (e) => { document.querySelector('video').srcObject = e.streams[0]; };
  const client = new WHEPClient();
  window.pc = pc;
  window.client = client;
  client.view(pc, window.whepUrl).catch((err) => { window.failed = String(err); });
</script>`;

const EYEVINN_PAGE = `<!doctype html><video muted autoplay playsinline></video>
<script>${RECORDER}
  const modules = { events: '/m/events.js', '@eyevinn/webrtc-player': '/m/webrtc-player.js', '@eyevinn/csai-manager': null, '@eyevinn/whpp-client': null };
  function requireModule(name) {
    if (modules[name] === null) return {};
    const xhr = new XMLHttpRequest();
    xhr.open('GET', modules[name], false);
    xhr.send();
    const module = { exports: {} };
    new Function('module', 'exports', 'require', xhr.responseText)(module, module.exports, requireModule);
    return module.exports;
  }
  const { WebRTCPlayer } = requireModule('@eyevinn/webrtc-player');
  const player = new WebRTCPlayer({ video: document.querySelector('video'), type: 'whep', iceServers: [] });
  window.player = player;
  player.load(new URL(window.whepUrl)).catch((err) => { window.failed = String(err); });
</script>`;

export interface ClientPages {
  /** The origin, e.g. http://127.0.0.1:PORT. */
  origin: string;
  /** The page that plays `whepUrl` with the named client. */
  url(client: 'whip-whep' | 'eyevinn', whepUrl: string): string;
  close(): Promise<void>;
}

export async function serveClientPages(host = '127.0.0.1'): Promise<ClientPages> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = FILES[path];
    if (file) {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      return void res.end(readFileSync(file));
    }
    const page = path === '/whip-whep' ? WHIP_WHEP_PAGE : path === '/eyevinn' ? EYEVINN_PAGE : undefined;
    res.writeHead(page ? 200 : 404, { 'content-type': 'text/html' });
    res.end(page ?? 'not found');
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  const origin = `http://${host}:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (client, whepUrl) => `${origin}/${client}?whep=${encodeURIComponent(whepUrl)}`,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
