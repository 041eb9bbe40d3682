// The overview on a leader's tablet: what it downloads and how soon its figures show, on a tablet
// profile (1024x768, touch, CPU slowed 4x) over a LAN and over a weak link. Run by
// `cargo xtask bench-overview` (which starts a server with the demo data set); prints a table and
// writes docs/benchmarks/overview.md.
//
// "First useful paint" is when the first target tile shows its figure (the page marks it; a
// MutationObserver installed before the page loads notes the time), measured from the start of the
// navigation, on a cold visit (a fresh browser context: nothing cached, no service worker).
import { chromium } from '@playwright/test';
import { writeFileSync } from 'node:fs';

const base = process.env.BASE_URL ?? 'http://127.0.0.1:3000';
const runs = Number(process.env.RUNS ?? 5);
const out = process.env.OUT ?? 'docs/benchmarks/overview.md';

const PROFILES = [
  { name: 'tablet, CPU 4x slower, LAN', cpu: 4, net: null },
  // A weak link: 1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip ("Fast 3G").
  { name: 'tablet, CPU 4x slower, weak link (1.6 Mbit/s, 150 ms)', cpu: 4,
    net: { latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 } },
];

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
    '--disable-background-networking', '--disable-component-update'],
});

// One login; each run then starts from a fresh context with only the session cookie.
async function session(user) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${base}/login`);
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
  await page.locator('#username').fill(user);
  await page.locator('#password').fill(`${user}-demo`);
  await page.locator('button[type=submit]').click();
  await page.waitForURL(`${base}/`);
  const state = await ctx.storageState();
  await ctx.close();
  return state;
}

/** The overview document's size as JSON. */
async function jsonSize(state, path) {
  const ctx = await browser.newContext({ storageState: state });
  const plain = await ctx.request.get(`${base}${path}`, { headers: { 'accept-encoding': 'identity' } });
  const json = (await plain.body()).length;
  await ctx.close();
  return json;
}

/** A visit; `warm`: a second visit in the same context (HTTP cache and service worker filled). */
async function visit(state, path, profile, warm) {
  const ctx = await browser.newContext({
    storageState: state, viewport: { width: 1024, height: 768 }, hasTouch: true,
    serviceWorkers: warm ? 'allow' : 'block',
  });
  if (warm) {
    const first = await ctx.newPage();
    await first.goto(`${base}${path}`);
    await first.locator('.map[data-map-ready="true"]').waitFor({ timeout: 120_000 });
    await first.waitForFunction(async () => {
      await navigator.serviceWorker.ready;
      return navigator.serviceWorker.controller !== null;
    }, null, { timeout: 30_000 });
    await first.reload();
    await first.locator('.map[data-map-ready="true"]').waitFor({ timeout: 120_000 });
    await first.close();
  }
  await ctx.addInitScript(() => {
    const note = () => {
      if (window.__fup === undefined && document.querySelector('[data-testid="achieved-inspections"]')) {
        window.__fup = performance.now();
      }
    };
    new MutationObserver(note).observe(document, { childList: true, subtree: true });
  });
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: profile.cpu });
  if (profile.net) {
    await cdp.send('Network.emulateNetworkConditions', { offline: false, ...profile.net });
  }
  let bytes = 0;
  let doc = 0;
  const urls = new Map();
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
  cdp.on('Network.loadingFinished', (e) => {
    bytes += e.encodedDataLength;
    if ((urls.get(e.requestId) ?? '').includes('/api/v1/overview')) doc = e.encodedDataLength;
  });
  await page.goto(`${base}${path}`);
  await page.waitForFunction(() => window.__fup !== undefined, null, { timeout: 120_000 });
  const fup = await page.evaluate(() => window.__fup);
  const bytesAtFup = bytes;
  const fcp = await page.evaluate(() =>
    performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null);
  await page.locator('.map[data-map-ready="true"]').waitFor({ timeout: 120_000 });
  const mapAt = await page.evaluate(() => performance.now());
  await ctx.close();
  return { fup, fcp, mapAt, bytesAtFup, bytes, doc };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const ms = (x) => `${Math.round(x).toLocaleString('en')} ms`;
const kb = (x) => `${(x / 1024).toFixed(1)} KB`;

const rows = [];
const sizes = [];
for (const [user, path, api, label] of [
  ['lanhdao', '/', '/api/v1/overview', 'centre (34 provinces)'],
  ['lanhdao', '/overview/01', '/api/v1/overview?unit=01', 'Hà Nội (its communes)'],
]) {
  const state = await session(user);
  const json = await jsonSize(state, api);
  let sent = 0;
  for (const profile of PROFILES) for (const warm of [false, true]) {
    const results = [];
    for (let i = 0; i < runs; i++) results.push(await visit(state, path, profile, warm));
    sent = Math.max(sent, median(results.map((r) => r.doc)));
    const row = {
      label, warm, profile: `${profile.name}, ${warm ? 'warm' : 'cold'}`,
      fcp: median(results.map((r) => r.fcp ?? 0)),
      fup: median(results.map((r) => r.fup)),
      map: median(results.map((r) => r.mapAt)),
      bytesAtFup: median(results.map((r) => r.bytesAtFup)),
      bytes: median(results.map((r) => r.bytes)),
    };
    rows.push(row);
    console.log(`  ${row.profile}: first paint ${ms(row.fcp)}, first useful paint ${ms(row.fup)}, map drawn ${ms(row.map)}, `
      + `${kb(row.bytesAtFup)} by then, ${kb(row.bytes)} in all (median of ${runs})`);
  }
  sizes.push({ label, json, sent });
  console.log(`${label}: overview document ${kb(json)} JSON, ${kb(sent)} on the wire`);
}
await browser.close();

const date = new Date().toISOString().slice(0, 10);
const md = `# The overview on a tablet

Measured ${date} on this machine (2 cores) by \`cargo xtask bench-overview\` (end2end/bench/overview-paint.mjs):
the release server with the demo data set, Debian's Chromium headless at 1024x768 with touch, the
CPU slowed 4x (Chrome DevTools' throttling); *cold*: a fresh context, nothing cached, no service
worker; *warm*: the same tablet again (HTTP cache and service worker filled by an earlier visit);
median of ${runs} visits. *First useful paint* is when the first target tile shows
its figure, from the start of the navigation.

## The overview document (\`GET /api/v1/overview\`)

| Unit | JSON | On the wire (compressed, with headers) |
|---|---:|---:|
${sizes.map((s) => `| ${s.label} | ${kb(s.json)} | ${kb(s.sent)} |`).join('\n')}

## Paint

| Unit | Profile | First paint | First useful paint | Map drawn | Downloaded by first useful paint | Downloaded in all |
|---|---|---:|---:|---:|---:|---:|
${rows.map((r) => `| ${r.label} | ${r.profile} | ${ms(r.fcp)} | ${ms(r.fup)} | ${ms(r.map)} | ${r.warm ? 'through the service worker¹' : kb(r.bytesAtFup)} | ${r.warm ? '–' : kb(r.bytes)} |`).join('\n')}

"Downloaded" counts bytes on the wire (compressed), the page, the app (wasm, script, styles,
fonts), MapLibre and the data; the map's boundaries load after the figures.
¹ Warm visits go through the service worker (network first for the page and the figures, the app's
files from the HTTP cache); its own requests are not seen by the page's DevTools session, so their
bytes are not counted here: the figures are the overview document above, the page a few KB.
`;
writeFileSync(out, md);
console.log(`written to ${out}`);
