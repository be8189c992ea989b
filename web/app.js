// app.js — the page: loads the fonts and the shipped lessons, starts the
// wasm module (web/app.c), runs the frame loop and the frame counter, and
// wires keys, pointer, the toolbar, file open and drop, the edit pane, share
// links and downloads. Every decision about the lesson is made in C; this
// file moves events in and files out.
import createPortsim from './portsim.js';

const $ = (id) => document.getElementById(id);
const canvas = $('stage');
const params = new URLSearchParams(location.search);
// ?size=WxH fixes the canvas size in pixels (for measurements), else it
// follows the page.
const fixed = /^(\d+)x(\d+)$/.exec(params.get('size') || '');

const FONTS = [
  ['DejaVuSans', 'fonts/DejaVuSans.ttf', {}],
  ['DejaVuSans', 'fonts/DejaVuSans-Bold.ttf', { weight: 'bold' }],
  ['DejaVuSansMono', 'fonts/DejaVuSansMono.ttf', {}],
];

async function loadFonts() {
  await Promise.all(FONTS.map(async ([family, url, desc]) => {
    const face = new FontFace(family, `url(${url})`, desc);
    document.fonts.add(await face.load());
  }));
}

async function loadLessons() {
  const names = await (await fetch('lessons/index.json')).json();
  return Promise.all(names.map(async (name) => ({ name, text: await (await fetch('lessons/' + name)).text() })));
}

const [M, lessons] = await Promise.all([
  loadFonts().then(() => createPortsim({ gfx: { ctx: canvas.getContext('2d'), fonts: ['DejaVuSans', 'DejaVuSans', 'DejaVuSansMono'], drawn: null } })),
  loadLessons(),
]);

// Calls f with s as a NUL-terminated UTF-8 string in wasm memory, and its length.
function withString(s, f) {
  const n = M.lengthBytesUTF8(s);
  const p = M._malloc(n + 1);
  M.stringToUTF8(s, p, n + 1);
  try { return f(p, n); } finally { M._free(p); }
}
const cstr = (p) => M.UTF8ToString(p);
// A malloc'ed string from C, freed here.
function takeString(p) {
  if (!p) return null;
  const s = M.UTF8ToString(p);
  M._free(p);
  return s;
}

let current = { name: '', text: '' };

function showError(msg) {
  $('error').hidden = !msg;
  $('error').textContent = msg || '';
}

// Opens scenario text; on an error shows file:line:col and keeps the open lesson.
function open(name, text) {
  const err = withString(name, (np) => withString(text, (tp, n) => cstr(M._web_load(np, tp, n))));
  showError(err);
  if (err) return false;
  current = { name, text };
  $('source').value = text;
  const known = lessons.find((l) => l.name === name && l.text === text);
  $('lesson').value = known ? name : '';
  return true;
}

// ---- lessons, files, the edit pane ----

for (const l of lessons) {
  const title = withString(l.text, (p, n) => cstr(M._web_title(p, n)));
  $('lesson').add(new Option(title ? `${title} (${l.name})` : l.name, l.name));
}
$('lesson').add(new Option('(your own scenario)', ''));
$('lesson').addEventListener('change', () => {
  const l = lessons.find((x) => x.name === $('lesson').value);
  if (l) open(l.name, l.text);
  canvas.focus();
});

async function openFile(file) {
  if (file) open(file.name, await file.text());
}
$('open').addEventListener('click', () => $('file').click());
$('file').addEventListener('change', () => { openFile($('file').files[0]); $('file').value = ''; });
document.addEventListener('dragover', (e) => { e.preventDefault(); document.body.classList.add('dragging'); });
document.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
document.addEventListener('drop', (e) => {
  e.preventDefault();
  document.body.classList.remove('dragging');
  openFile(e.dataTransfer.files[0]);
});

$('edit').addEventListener('click', () => {
  const show = $('editor').hidden;
  $('editor').hidden = !show;
  $('edit').setAttribute('aria-pressed', String(show));
});
$('run').addEventListener('click', () => open(current.name || 'edited.scn', $('source').value));

// ---- share links: the scenario, deflated, base64url, in the fragment ----

async function pipe(bytes, stream) {
  return new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(stream)).arrayBuffer());
}
const b64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const unb64url = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

$('share').addEventListener('click', async () => {
  const packed = await pipe(new TextEncoder().encode($('source').value), new CompressionStream('deflate-raw'));
  const url = new URL(location.href);
  url.hash = 's=' + b64url(packed) + '&n=' + encodeURIComponent(current.name || 'shared.scn');
  history.replaceState(null, '', url);
  $('shared').hidden = false;
  $('share-url').value = url.href;
  $('share-url').select();
  navigator.clipboard?.writeText(url.href).catch(() => {});
});

async function fromFragment() {
  const h = new URLSearchParams(location.hash.slice(1));
  if (h.has('s')) {
    const text = new TextDecoder().decode(await pipe(unb64url(h.get('s')), new DecompressionStream('deflate-raw')));
    return open(h.get('n') || 'shared.scn', text);
  }
  const l = lessons.find((x) => x.name === (h.get('lesson') || 'two-tabs.scn')) || lessons[0];
  return open(l.name, l.text);
}

// ---- downloads ----

function download(name, data, type) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([data], { type }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
const base = () => (current.name || 'session.scn').replace(/\.scn$/, '');

function downloadTrace(format) {
  const t = takeString(M._web_trace(format));
  if (t === null) showError('out of memory while writing the trace');
  else download(base() + (format ? '.jsonl' : '.trace'), t, format ? 'application/jsonl' : 'text/plain');
}
// The session's capture, written by trace/pcap.c into wasm's memory file system.
function pcapBytes() {
  const path = '/session.pcap';
  const err = withString(path, (p) => cstr(M._web_pcap(p)));
  if (err) {
    showError(err);
    return null;
  }
  const bytes = M.FS.readFile(path);
  M.FS.unlink(path);
  return bytes;
}
function downloadPcap() {
  const bytes = pcapBytes();
  if (bytes) download(base() + '.pcap', bytes, 'application/vnd.tcpdump.pcap');
}
$('dl-text').addEventListener('click', () => downloadTrace(0));
$('dl-jsonl').addEventListener('click', () => downloadTrace(1));
$('dl-pcap').addEventListener('click', downloadPcap);

// ---- keys: the window's table (render/keys.h) decides ----

const keyCode = (name) => withString(name, (p) => M._web_key_code(p));
function key(name, mods = 0) {
  return cstr(M._web_key(keyCode(name), mods));
}
function pageAction(a) {
  if (a === 'open') $('file').click();
  else if (a === 'fullscreen') document.fullscreenElement ? document.exitFullscreen() : document.documentElement.requestFullscreen();
  else if (a === 'screenshot') canvas.toBlob((b) => download(base() + '.png', b, 'image/png'));
  else if (a === 'pcap') downloadPcap();
  else if (a === 'save') download(base() + '-session.scn', takeString(M._web_session_text()) || '', 'text/plain');
}

document.addEventListener('keydown', (e) => {
  if (e.target.closest('textarea, input, select')) return;
  const mods = (e.ctrlKey || e.metaKey ? 1 : 0) | (e.altKey ? 2 : 0) | (e.shiftKey ? 4 : 0); // keys.h PV_MOD_*
  const a = key(e.key, mods);
  if (a === 'none') {
    // Unbound keys type into the terminal when it is open (C ignores them otherwise).
    if ([...e.key].length !== 1 || mods) return;
    withString(e.key, (p) => M._web_text(p));
  } else {
    pageAction(a);
  }
  e.preventDefault();
});

$('play').addEventListener('click', () => key(' '));
$('next').addEventListener('click', () => key('ArrowRight'));
$('prev').addEventListener('click', () => key('ArrowLeft'));
$('term').addEventListener('click', () => { key('t'); canvas.focus(); });
$('help').addEventListener('click', () => key('?'));

// ---- pointer: drag the timeline, tap a building or a door ----

function pointer(kind, e) {
  const r = canvas.getBoundingClientRect();
  M._web_pointer(kind, Math.round(e.clientX - r.left), Math.round(e.clientY - r.top));
}
canvas.addEventListener('pointerdown', (e) => { canvas.setPointerCapture(e.pointerId); canvas.focus(); pointer(0, e); });
canvas.addEventListener('pointermove', (e) => { if (e.buttons) pointer(1, e); });
canvas.addEventListener('pointerup', (e) => pointer(2, e));

// ---- the frame loop and its counter ----

// fps: frames drawn in the last second; drawMs: the mean time one frame's
// C and canvas calls take (the browser caps fps at the display's rate).
const stats = { fps: 0, frames: 0, drawMs: 0 };
let last = performance.now(), second = last, inSecond = 0, captionText = '';

function frame(now) {
  const w = fixed ? +fixed[1] : canvas.clientWidth, h = fixed ? +fixed[2] : canvas.clientHeight;
  const dpr = fixed ? 1 : window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
    if (fixed) { canvas.style.width = w + 'px'; canvas.style.height = h + 'px'; canvas.style.flex = 'none'; }
  }
  const ctx = M.gfx.ctx;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  if (M.gfx.drawn) M.gfx.drawn = [];
  const t0 = performance.now();
  M._web_frame(w, h, now - last);
  stats.drawMs += (performance.now() - t0 - stats.drawMs) / 30;
  last = now;
  stats.frames++;
  inSecond++;
  if (now - second >= 1000) {
    stats.fps = Math.round((inSecond * 1000) / (now - second));
    $('fps').textContent = `${stats.fps} fps · ${stats.drawMs.toFixed(1)} ms/frame`;
    second = now;
    inSecond = 0;
  }
  const c = cstr(M._web_caption());
  if (c !== captionText) $('caption').textContent = captionText = c;
  $('play').textContent = M._web_playing() ? '⏸' : '▶';
  requestAnimationFrame(frame);
}

// For tests and curious teachers: the same facts the page shows.
window.portsim = {
  stats,
  caption: () => cstr(M._web_caption()),
  terminal: () => cstr(M._web_terminal_text()),
  recordTexts: (on) => { M.gfx.drawn = on ? [] : null; },
  drawnTexts: () => M.gfx.drawn || [],
  trace: (format) => takeString(M._web_trace(format)),
  pcap: () => Array.from(pcapBytes() || []),
};

// Offline once loaded (web/sw.js); browsers allow it on https and localhost.
navigator.serviceWorker?.register('sw.js').catch(() => {});

await fromFragment();
window.addEventListener('hashchange', fromFragment);
canvas.focus();
requestAnimationFrame(frame);
document.body.dataset.ready = 'true';
