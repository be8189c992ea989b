// browser.mjs — the page in Debian's headless Chromium (puppeteer-core, no
// downloaded browser), served by python3 -m http.server on 127.0.0.1 only:
//   - the lesson menu lists every shipped lesson by title;
//   - space plays and pauses, → steps, and the caption shown (canvas and
//     the page's live region) is the lesson's `say` text at that moment;
//   - a screenshot is not blank, and has text pixels where the page says
//     the :443 door's label was drawn (the page records drawn texts and
//     their boxes, like `portsim render --boxes`);
//   - tapping that door says what is behind it; dragging the timeline moves time;
//   - T opens the terminal, `ss -tlnp` lists nginx on 0.0.0.0:443;
//   - a bad file opened with the file picker shows the native
//     file:line:col message, and the open lesson stays open;
//   - a dropped file opens, and Run on edited text reports its errors;
//   - the page's trace downloads equal native `portsim run`, text and jsonl,
//     and its capture equals native `--pcap`;
//   - a share link round-trips the scenario text;
//   - offline, a reload is answered by the service worker (web/sw.js);
//   - it measures the first load's bytes and busy-server's frame rate at
//     1920x1080, and saves screenshots under build-web/screenshots/.
// No request may leave 127.0.0.1. Usage (mk/web.mk runs it):
//   node tests/web/browser.mjs NODE_MODULES_DIR WEB_DIR PORTSIM
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

const [modules, webDir, portsim] = process.argv.slice(2).map((p) => resolve(p));
const puppeteer = createRequire(modules + '/')('puppeteer-core');
const shots = webDir + '/screenshots';
mkdirSync(shots, { recursive: true });

let fails = 0;
const ok = (cond, what, detail = '') => {
  console.log((cond ? 'ok   ' : 'FAIL ') + what + (cond || !detail ? '' : '\n    ' + detail));
  if (!cond) fails++;
  return cond;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const native = (args, cwd) => execFileSync(portsim, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

// The server: port 0 lets the system choose; it prints the one it took.
const server = spawn('python3', ['-u', '-m', 'http.server', '0', '-b', '127.0.0.1', '-d', webDir],
  { stdio: ['ignore', 'pipe', 'ignore'] });
const port = await new Promise((res, rej) => {
  server.stdout.on('data', (d) => { const m = /port (\d+)/.exec(String(d)); if (m) res(m[1]); });
  server.on('exit', () => rej(new Error('http.server exited')));
  setTimeout(() => rej(new Error('http.server did not start')), 10000);
});
const origin = `http://127.0.0.1:${port}`;

const browser = await puppeteer.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run',
    '--disable-sync', '--disable-domain-reliability', '--no-pings', '--disable-features=MediaRouter'],
});

async function newPage(w, h) {
  const page = await browser.newPage();
  await page.setViewport({ width: w, height: h });
  await page.setRequestInterception(true);
  page.on('request', (r) => {
    const local = r.url().startsWith(origin + '/') || r.url().startsWith('data:') || r.url().startsWith('blob:');
    if (!local) ok(false, 'only 127.0.0.1 is asked for', r.url());
    local ? r.continue() : r.abort();
  });
  page.on('pageerror', (e) => ok(false, 'no script error in the page', e.message));
  return page;
}
// Loads url and waits for the page to be ready; returns the bytes it fetched
// (the document and every resource, as the browser's resource timing counts them).
async function ready(page, url) {
  await page.goto(url, { waitUntil: 'networkidle0' });
  await page.waitForSelector('body[data-ready=true]', { timeout: 30000 });
  return page.evaluate(() => performance.getEntries()
    .filter((e) => e.entryType === 'navigation' || e.entryType === 'resource')
    .reduce((n, e) => n + e.encodedBodySize, 0));
}
const caption = (page) => page.evaluate(() => window.portsim.caption());
const texts = (page) => page.evaluate(async () => {
  window.portsim.recordTexts(true);
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const t = window.portsim.drawnTexts();
  window.portsim.recordTexts(false);
  return t;
});
// Distinct colours and the count of light pixels in a box of a screenshot
// (a PNG, decoded by the page's own image decoder).
const pixels = (page, png, box) => page.evaluate(async (b64, b) => {
  const bmp = await createImageBitmap(await (await fetch('data:image/png;base64,' + b64)).blob());
  const g = new OffscreenCanvas(bmp.width, bmp.height).getContext('2d');
  g.drawImage(bmp, 0, 0);
  const d = g.getImageData(b.x, b.y, b.w, b.h).data;
  const seen = new Set();
  let light = 0;
  for (let i = 0; i < d.length; i += 4) {
    seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    if (d[i] > 200 && d[i + 1] > 200 && d[i + 2] > 200) light++;
  }
  return { colours: seen.size, light };
}, png.toString('base64'), box);

try {
  // ---- two-tabs ----
  const page = await newPage(1280, 800);
  const bytes = await ready(page, origin + '/');
  const scn = readFileSync('scenarios/two-tabs.scn', 'utf8');
  const says = [...scn.matchAll(/^say\s+\S+\s+"(.*)"$/gm)].map((m) => m[1]);

  const options = await page.$$eval('#lesson option', (o) => o.map((x) => x.textContent));
  ok(options.filter((o) => o.endsWith('.scn)')).length === JSON.parse(readFileSync(webDir + '/lessons/index.json')).length &&
     options.includes('Two tabs, one server (two-tabs.scn)'), 'the lesson menu lists every lesson by title', options.join(' | '));

  await page.keyboard.press('Space');
  await sleep(300);
  ok(await page.evaluate(() => document.getElementById('play').textContent === '⏸'), 'space plays');
  await page.keyboard.press('Space');
  await sleep(100);
  ok(await page.evaluate(() => document.getElementById('play').textContent === '▶'), 'space pauses');
  await page.keyboard.press('Home');
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowRight');
  await sleep(200);
  const cap = await caption(page);
  ok(says.includes(cap), 'after the arrows the caption is one of the lesson\'s say lines', cap);
  ok(await page.$eval('#caption', (e) => e.textContent) === cap, 'the live region says the same caption');
  const drawn = await texts(page);
  ok(drawn.some((t) => cap.startsWith(t.text.replace(/…$/, ''))), 'the caption was drawn on the canvas');

  // The screenshot: not blank, and light text pixels where the :443 label was drawn.
  const stage = await page.$eval('#stage', (c) => { const r = c.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; });
  const shot = await page.screenshot({ path: shots + '/two-tabs.png' });
  const whole = await pixels(page, shot, stage);
  ok(whole.colours >= 50, 'the screenshot is not blank', JSON.stringify(whole));
  const door = drawn.find((t) => t.text === ':443');
  if (ok(door !== undefined, 'the :443 door\'s label was drawn', drawn.map((t) => t.text).slice(0, 30).join(' | '))) {
    const p = await pixels(page, shot, { x: stage.x + door.x, y: stage.y + door.y, w: door.w, h: door.h });
    ok(p.light >= 10, 'the screenshot has light (text) pixels in the :443 label\'s box', JSON.stringify(p));
  }
  // Touch and mouse: tap the door, drag the timeline.
  if (door) {
    await page.mouse.click(stage.x + door.x + door.w / 2, stage.y + door.y + door.h / 2);
    const tapped = (await texts(page)).find((t) => t.text.startsWith(':443 · nginx 812'));
    ok(tapped !== undefined, 'tapping the :443 door says what is behind it');
  }
  const clock = async () => (await texts(page)).find((t) => t.text.startsWith('t = ')).text;
  const before = await clock();
  const ty = stage.y + stage.h - 20; // the timeline is the canvas's bottom band
  await page.mouse.move(stage.x + 40, ty);
  await page.mouse.down();
  await page.mouse.move(stage.x + stage.w / 2, ty, { steps: 5 });
  await page.mouse.up();
  const after = await clock();
  ok(before !== after && parseFloat(after.slice(4)) > parseFloat(before.slice(4)), 'dragging the timeline moves the time', `${before} -> ${after}`);
  await page.keyboard.press('Home');
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');

  // ---- the terminal ----
  await page.keyboard.press('t');
  await page.keyboard.type('ss -tlnp');
  await page.keyboard.press('Enter');
  await sleep(200);
  const term = await page.evaluate(() => window.portsim.terminal());
  ok(/LISTEN.*0\.0\.0\.0:443.*nginx/.test(term), 'ss -tlnp in the terminal lists nginx on 0.0.0.0:443', term);
  const termDrawn = await texts(page);
  ok(termDrawn.some((t) => t.text.includes('0.0.0.0:443') && t.text.startsWith('LISTEN')), 'the terminal output was drawn');
  await page.screenshot({ path: shots + '/two-tabs-terminal.png' });
  await page.keyboard.press('Escape');

  // ---- a bad file: the native message, the lesson stays ----
  const bad = 'tests/bad/unknown_host.scn';
  let want = '';
  try { native(['run', basename(bad)], dirname(bad)); } catch (e) { want = String(e.stderr).split('\n')[0]; }
  const capBefore = await caption(page);
  const [chooser] = await Promise.all([page.waitForFileChooser(), page.click('#open')]);
  await chooser.accept([resolve(bad)]);
  await page.waitForSelector('#error:not([hidden])', { timeout: 10000 });
  const shown = await page.$eval('#error', (e) => e.textContent);
  ok(/^unknown_host\.scn:\d+:\d+: error: /.test(shown) && shown === want, 'a bad file shows the native file:line:col error', `page: ${shown}\n    native: ${want}`);
  ok(await caption(page) === capBefore, 'the open lesson stays open after a bad file');

  // ---- drop a file; edit and run ----
  const custom = readFileSync('scenarios/custom-port.scn', 'utf8');
  await page.evaluate((text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], 'dropped.scn'));
    document.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true }));
  }, custom);
  await page.waitForFunction(() => document.getElementById('error').hidden, { timeout: 10000 });
  ok(await page.$eval('#source', (e) => e.value) === custom, 'a dropped file opens');
  await page.click('#edit');
  await page.$eval('#source', (e) => { e.value = e.value.replace(/^(title .*)$/m, '$1\nhost 10.0.0.1'); });
  await page.click('#run');
  const edited = await page.$eval('#error', (e) => e.hidden ? '' : e.textContent);
  const line = custom.split('\n').findIndex((l) => l.startsWith('title ')) + 2;
  ok(edited.startsWith(`dropped.scn:${line}:`), 'Run on edited text shows its file:line:col error', edited);
  await page.click('#edit');

  // ---- port-conflict: the trace downloads, the error banner ----
  await page.select('#lesson', 'port-conflict.scn');
  await sleep(200);
  for (const [fmt, args] of [[0, []], [1, ['--format', 'jsonl']]]) {
    const got = await page.evaluate((f) => window.portsim.trace(f), fmt);
    ok(got === native(['run', 'scenarios/port-conflict.scn', ...args]), `the page's ${fmt ? 'jsonl' : 'text'} trace equals native portsim run`);
  }
  let banner = false;
  for (let i = 0; i < 40 && !banner; i++) {
    await page.keyboard.press('ArrowRight');
    banner = (await texts(page)).some((t) => t.text.includes('EADDRINUSE'));
  }
  ok(banner, 'stepping port-conflict shows the EADDRINUSE banner');
  await page.screenshot({ path: shots + '/port-conflict.png' });

  // ---- two-tabs again (nothing typed): its capture, a share link ----
  await page.select('#lesson', 'two-tabs.scn');
  const pcapFile = mkdtempSync(join(tmpdir(), 'portsim-web-')) + '/two-tabs.pcap';
  native(['run', 'scenarios/two-tabs.scn', '--format', 'none', '--pcap', pcapFile]);
  const pcap = await page.evaluate(() => window.portsim.pcap());
  ok(pcap.length > 24 && Buffer.from(pcap).equals(readFileSync(pcapFile)), 'the page\'s capture equals native --pcap');
  rmSync(dirname(pcapFile), { recursive: true });

  // ---- share link ----
  await page.click('#share');
  await page.waitForFunction(() => document.getElementById('share-url').value !== '', { timeout: 10000 });
  const url = await page.$eval('#share-url', (e) => e.value);
  const page2 = await newPage(1280, 800);
  await ready(page2, url);
  ok(await page2.$eval('#source', (e) => e.value) === scn, 'a share link carries the scenario text', url.slice(0, 120));
  await page2.close();

  console.log(`measure: first load ${bytes} bytes (${(bytes / 1048576).toFixed(2)} MiB)`);
  ok(bytes > 0 && bytes <= 4 * 1048576, 'the first load is at most 4 MB');

  // ---- offline: the service worker answers a reload ----
  const sw = await page.evaluate(() => Promise.race([navigator.serviceWorker.ready.then(() => true),
    new Promise((r) => setTimeout(() => r(false), 10000))]));
  ok(sw, 'the service worker is installed');
  await page.setOfflineMode(true);
  await page.reload({ waitUntil: 'load' });
  await page.waitForSelector('body[data-ready=true]', { timeout: 30000 }).catch(() => {});
  ok(await page.evaluate(() => document.body.dataset.ready === 'true' && window.portsim.caption() !== undefined),
     'offline, a reload still opens the page and its lesson');
  await page.setOfflineMode(false);
  await page.close();

  // ---- busy-server at 1920x1080: the page's own frame counter ----
  const busy = await newPage(1920, 1200);
  await ready(busy, origin + '/?size=1920x1080#lesson=busy-server.scn');
  // x1/4: the 62 ms lesson then plays for 10 s, so every measured frame
  // draws a new moment (the scene rebuilt from 10,000 connections).
  await busy.keyboard.press('-');
  await busy.keyboard.press('-');
  await busy.keyboard.press('Space');
  await sleep(1000);
  const f0 = await busy.evaluate(() => [window.portsim.stats.frames, performance.now()]);
  await sleep(5000);
  const f1 = await busy.evaluate(() => [window.portsim.stats.frames, performance.now()]);
  const fps = ((f1[0] - f0[0]) * 1000) / (f1[1] - f0[1]);
  const drawMs = await busy.evaluate(() => window.portsim.stats.drawMs);
  ok(await busy.evaluate(() => document.getElementById('play').textContent === '⏸'), 'busy-server was playing all along');
  console.log(`measure: busy-server at 1920x1080 playing: ${fps.toFixed(1)} frames per second over 5 s, ` +
              `${drawMs.toFixed(2)} ms to compute and draw one frame`);
  ok(fps > 5, 'busy-server keeps drawing while it plays');
  await busy.screenshot({ path: shots + '/busy-server.png' });
  await busy.close();
} catch (e) {
  ok(false, 'the browser test ran to its end', e.stack);
} finally {
  await browser.close();
  server.kill();
}
console.log(`browser.mjs: ${fails} failed; screenshots in ${shots}/`);
process.exit(fails ? 1 : 0);
