/**
 * The player page's quality menu, on its own: shown when the WHEP answer links the layer
 * extension (the stream has renditions). "Auto" lets camwire choose; a rendition name pins it,
 * through the same layer URL a standard WHEP client uses. The rendition playing, and the one
 * wanted, are read from /api/streams for this viewer and shown beside the menu.
 */
export const QUALITY_MENU_HTML = `<select id="quality" hidden title="quality"></select><span id="rendition"></span>`;

/** Defines qualityMenu(response, resourceUrl), called once the WHEP answer is in. Needs `$` and `auth`. Starts on a new line. */
export const QUALITY_SCRIPT = `
async function qualityMenu(r, resourceUrl) {
  const m = (r.headers.get('link') || '').match(/<([^>]+)>;\\s*rel="urn:ietf:params:whep:ext:core:layer"/);
  if (!m) return;
  const layerUrl = new URL(m[1], location.href).toString();
  const parts = new URL(resourceUrl).pathname.split('/').map(decodeURIComponent);
  const streamName = parts[2], viewerId = parts[3];
  const find = async () => {
    const list = await (await fetch('/api/streams', { headers: auth })).json();
    return list.streams.find((x) => x.name === streamName);
  };
  const s = await find();
  if (!s || !s.renditions) return;
  const sel = $('quality');
  sel.innerHTML = '';
  for (const name of ['auto', ...s.renditions.map((x) => x.name)]) {
    const o = document.createElement('option');
    o.value = name;
    o.textContent = name === 'auto' ? 'Auto' : name;
    sel.appendChild(o);
  }
  sel.hidden = false;
  sel.onchange = () => fetch(layerUrl, sel.value === 'auto'
    ? { method: 'DELETE', headers: auth }
    : { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify({ mediaId: '0', encodingId: sel.value }) });
  clearInterval(window.qualityTimer);
  window.qualityTimer = setInterval(async () => {
    try {
      const v = ((await find()) || { viewers: [] }).viewers.find((x) => x.id === viewerId);
      if (!v || !v.rendition) return;
      const bw = v.rendition.bandwidth;
      $('rendition').textContent = ' playing ' + v.rendition.current + (v.rendition.target !== v.rendition.current ? ' (switching to ' + v.rendition.target + ')' : '')
        + (bw ? ' | estimate ' + (bw.estimateBps / 1e6).toFixed(2) + ' Mbit/s, acked ' + (bw.ackedBps / 1e6).toFixed(2) + ' Mbit/s' : '');
    } catch {}
  }, 1000);
}`;
