// Screenshots of every screen at tablet (1024x768), desktop (1440x900) and wall (1920x1080) sizes,
// into target/screenshots/. Run by `cargo xtask screenshots` against a server with the tiny data set.
import { chromium } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { createHmac } from 'node:crypto';

// The demo accounts' authenticator codes (their secrets are public, see the README); a code is
// accepted once, so each login takes the next unused step (waiting when the three the server
// accepts are spent).
const lastStep = new Map();
async function totp(user) {
  for (;;) {
    const now = Math.floor(Date.now() / 30_000);
    const step = Math.max(now, (lastStep.get(user) ?? -Infinity) + 1);
    if (step <= now + 1) {
      lastStep.set(user, step);
      const counter = Buffer.alloc(8);
      counter.writeBigUInt64BE(BigInt(step));
      const d = createHmac('sha1', Buffer.from(`oversight-demo-${user}`)).update(counter).digest();
      const o = d[19] & 0x0f;
      const n = ((d[o] & 0x7f) << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3];
      return (n % 1_000_000).toString().padStart(6, '0');
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
}
const SECOND_FACTOR = new Set(['admin', 'lanhdao', 'hanoi']);

/** Logs in through the form; `shot` names a screenshot of the code step, if wanted. */
async function signIn(page, user, pass, shot) {
  await page.goto(`${base}/login`);
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
  await page.locator('#username').fill(user);
  await page.locator('#password').fill(pass);
  await page.locator('button[type=submit]').click();
  if (SECOND_FACTOR.has(user)) {
    await page.locator('#totp').waitFor();
    if (shot) await page.screenshot({ path: shot });
    await page.locator('#totp').fill(await totp(user));
    await page.locator('button[type=submit]').click();
  }
  await page.waitForURL(`${base}/`);
}

const base = process.env.BASE_URL ?? 'http://127.0.0.1:3000';
const out = 'target/screenshots';
mkdirSync(out, { recursive: true });
const sizes = [['tablet', 1024, 768], ['tablet-large', 1366, 1024], ['desktop', 1440, 900], ['wall', 1920, 1080]];
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
});
for (const [name, width, height] of sizes) {
  for (const lang of ['vi', 'en']) {
    const ctx = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
    await ctx.addCookies([{ name: 'lang', value: lang, url: base }]);
    const page = await ctx.newPage();
    await page.goto(`${base}/login`);
    await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
    await page.screenshot({ path: `${out}/login-${name}-${lang}.png` });
    for (const [user, pass, screen] of [['lanhdao', 'lanhdao-demo', 'overview'], ['hanoi', 'hanoi-demo', 'overview-hanoi']]) {
      await signIn(page, user, pass, user === 'lanhdao' ? `${out}/login-code-${name}-${lang}.png` : undefined);
      await page.locator('.map[data-map-ready="true"]').waitFor({ timeout: 30000 });
      await page.waitForTimeout(400);
      await page.screenshot({ path: `${out}/${screen}-${name}-${lang}.png` });
      // The map and its rankings, a unit tapped (its panel).
      await page.locator('.map').scrollIntoViewIfNeeded();
      await page.locator('.all-children summary').click();
      await page.waitForTimeout(400);
      await page.screenshot({ path: `${out}/${screen}-map-${name}-${lang}.png` });
      // A province's own overview (the centre's user), then one of its communes.
      const here = user === 'hanoi' ? '01' : '79';
      if (user !== 'hanoi') {
        await page.goto(`${base}/overview/${here}`);
        await page.locator('.map[data-map-ready="true"]').waitFor({ timeout: 30000 });
        await page.waitForTimeout(400);
        await page.screenshot({ path: `${out}/overview-province-${name}-${lang}.png` });
      }
      const unit = await (await page.request.get(`${base}/api/v1/overview?unit=${here}`)).json();
      if (unit.children.length > 0) {
        await page.goto(`${base}/overview/${unit.children[0].code}`);
        await page.getByTestId('achieved-inspections').waitFor({ timeout: 30000 });
        await page.waitForTimeout(400);
        await page.screenshot({ path: `${out}/overview-commune-${user}-${name}-${lang}.png` });
      }
      // The province's workload across all directives, with its peers.
      await page.goto(`${base}/workload/${here}`);
      await page.getByTestId('workload-summary').waitFor({ timeout: 30000 });
      await page.waitForTimeout(400);
      await page.screenshot({ path: `${out}/workload-${user}-${name}-${lang}.png` });
      await page.goto(`${base}/`);
      await page.getByTestId('scope-name').waitFor({ timeout: 30000 });
      // The analyst workspace, with a sector picked and a period brushed.
      await page.goto(`${base}/analysis`);
      await page.getByTestId('selected-count').waitFor({ timeout: 30000 });
      await page.getByTestId('chart-sector').locator('.bar-row[data-value="0"]').click();
      const chart = page.getByTestId('time-chart');
      const box = await chart.boundingBox();
      await page.mouse.move(box.x + box.width * 0.55, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.85, box.y + box.height / 2, { steps: 4 });
      await page.mouse.up();
      await page.waitForTimeout(300);
      await page.screenshot({ path: `${out}/analysis-${user}-${name}-${lang}.png` });
      // Drilled into a province with a radius drawn, coloured by violation rate; then the table.
      const province = user === 'hanoi' ? '01' : '79';
      const centre = user === 'hanoi' ? '21.0285,105.8542' : '10.7769,106.7009';
      await page.goto(`${base}/analysis?province=${province}&radius=${centre},15&metric=rate`);
      await page.locator('[data-testid=map][data-map-ready="true"]').waitFor({ timeout: 30000 });
      await page.waitForTimeout(1200);
      await page.screenshot({ path: `${out}/analysis-map-${user}-${name}-${lang}.png` });
      const table = page.getByTestId('case-table');
      if (await table.count()) {
        await table.scrollIntoViewIfNeeded();
        await page.waitForTimeout(300);
        await page.screenshot({ path: `${out}/analysis-table-${user}-${name}-${lang}.png` });
        // A case's history, opened from the table.
        await page.locator('.case-row').first().click();
        await page.getByTestId('case-history').locator('.history-version').first().waitFor({ timeout: 10000 });
        await page.screenshot({ path: `${out}/case-history-${user}-${name}-${lang}.png` });
      }
      // The registry of sources and the quality of the data, one source opened.
      await page.goto(`${base}/sources`);
      await page.getByTestId('sources-table').waitFor({ timeout: 30000 });
      await page.locator('tr.source-row').first().click();
      await page.waitForTimeout(300);
      await page.screenshot({ path: `${out}/sources-${user}-${name}-${lang}.png` });
      // The directives, and the first one with its map of completion.
      await page.goto(`${base}/directives`);
      await page.getByTestId('directive-list').locator('.directive-item').first().waitFor({ timeout: 30000 });
      await page.screenshot({ path: `${out}/directives-${user}-${name}-${lang}.png` });
      await page.getByTestId('directive-list').locator('.directive-item').first().click();
      await page.locator('.map[data-map-ready="true"]').waitFor({ timeout: 30000 });
      await page.waitForTimeout(600);
      await page.screenshot({ path: `${out}/directive-${user}-${name}-${lang}.png` });
      // Thematic supervision programmes: the list with two picked, the two side by side, the
      // first programme with its coverage map, and a planned unit's remote supervision view.
      await page.goto(`${base}/programmes`);
      const cards = page.getByTestId('programme-list').locator('.programme-card');
      await cards.first().waitFor({ timeout: 30000 });
      await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
      const many = (await cards.count()) > 1;
      if (many) {
        await cards.nth(0).getByTestId('pick').check();
        await cards.nth(1).getByTestId('pick').check();
      }
      await page.screenshot({ path: `${out}/programmes-${user}-${name}-${lang}.png` });
      if (many) {
        await page.getByTestId('compare-go').click();
        await page.getByTestId('compare-table').waitFor({ timeout: 30000 });
        await page.waitForTimeout(300);
        await page.screenshot({ path: `${out}/programmes-compare-${user}-${name}-${lang}.png` });
        await page.goto(`${base}/programmes`);
        await cards.first().waitFor({ timeout: 30000 });
      }
      await cards.first().locator('.programme-link').click();
      await page.locator('.map[data-map-ready="true"]').waitFor({ timeout: 30000 });
      await page.waitForTimeout(600);
      await page.screenshot({ path: `${out}/programme-${user}-${name}-${lang}.png` });
      await page.getByTestId('findings').scrollIntoViewIfNeeded();
      await page.waitForTimeout(300);
      await page.screenshot({ path: `${out}/programme-findings-${user}-${name}-${lang}.png` });
      // A unit already supervised, if any: its view has the most to show.
      const supervised = page.locator('tr[data-stage]:not([data-stage="none"]) [data-testid=remote-link]');
      await ((await supervised.count()) > 0 ? supervised.first() : page.getByTestId('remote-link').first()).click();
      await page.getByTestId('remote-tiles').waitFor({ timeout: 30000 });
      await page.waitForTimeout(300);
      await page.screenshot({ path: `${out}/remote-${user}-${name}-${lang}.png` });
      // The overview's quality breakdown.
      await page.goto(`${base}/`);
      await page.getByTestId('overview-quality').locator('summary').click();
      await page.waitForTimeout(300);
      await page.screenshot({ path: `${out}/overview-quality-${user}-${name}-${lang}.png` });
      await page.request.post(`${base}/api/v1/auth/logout`);
      await ctx.clearCookies();
      await ctx.addCookies([{ name: 'lang', value: lang, url: base }]);
    }
    await ctx.close();
  }
}
// The wall display: each scene at 1920x1080 and 3840x2160, set one at a time by the administrator.
{
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'admin-demo', totp: await totp('admin') }),
  });
  const set = login.headers.getSetCookie().map((c) => c.split(';')[0]);
  const cookie = set.join('; ');
  const csrf = set.find((c) => c.startsWith('oversight_csrf=')).slice('oversight_csrf='.length);
  const admin = (method, path, body) => fetch(`${base}${path}`, {
    method, headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf }, body: JSON.stringify(body),
  }).then((r) => r.json());
  const made = await admin('POST', '/api/v1/displays', {
    name: 'Phòng họp trực tuyến', unit: 'VN', scenes: [{ kind: 'overview' }], interval_seconds: 600,
  });
  for (const [width, height] of [[1920, 1080], [3840, 2160]]) {
    const page = await (await browser.newContext({ viewport: { width, height } })).newPage();
    for (const scene of [{ kind: 'overview' }, { kind: 'map' }, { kind: 'alerts' }, { kind: 'directives' }, { kind: 'unit', unit: '01' }]) {
      await admin('PUT', `/api/v1/displays/${made.display.id}`, {
        name: 'Phòng họp trực tuyến', scenes: [scene], interval_seconds: 600,
      });
      if (page.url() === 'about:blank') await page.goto(`${base}${made.url}`);
      await page.locator(`.wall[data-phase="running"][data-scene="${scene.kind}"]`).waitFor({ timeout: 30000 });
      if (scene.kind === 'map') await page.locator('.wall .map[data-map-ready="true"]').waitFor({ timeout: 60000 });
      await page.waitForTimeout(1500);
      await page.screenshot({ path: `${out}/wall-${scene.kind}${scene.unit ?? ''}-${width}.png` });
    }
    await page.context().close();
  }
  await admin('POST', `/api/v1/displays/${made.display.id}/revoke`, {});
}
await browser.close();
console.log(`screenshots in ${out}/`);
