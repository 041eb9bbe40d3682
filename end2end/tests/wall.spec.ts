// The wall display of the video-conference room, driven as the room uses it: no mouse, no
// login; a display token opens it, its scenes rotate, new data changes its figures in place,
// it rides out a server restart, a revoked token blanks it, and only the room's own system may
// frame it.
import { test, expect, request, APIRequestContext, Page } from '@playwright/test';
import { spawn, ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createServer as createHttpServer, Server } from 'node:http';
import { DEMO, apiLogin, login } from './helpers';

test.use({ viewport: { width: 1920, height: 1080 } });

async function signedIn(baseURL: string, who: { username: string; password: string }) {
  return apiLogin(baseURL, who);
}

/** A display made by the administrator; its id and token. */
async function makeDisplay(admin: APIRequestContext, body: object) {
  const res = await admin.post('/api/v1/displays', { data: body });
  expect(res.status(), await res.text()).toBe(201);
  const made = await res.json();
  expect(made.url).toBe(`/display#token=${made.token}`);
  return { id: made.display.id as number, token: made.token as string };
}

/** `n` inspections opened today in a commune of Hà Nội, sent as another system would. */
async function ingestInspections(baseURL: string, n: number, tag: string) {
  const officer = await signedIn(baseURL, DEMO.dataOfficer);
  const units = await (await officer.get('/api/v1/units?level=commune&parent=01')).json();
  const today = new Date().toISOString().slice(0, 10);
  const cases = Array.from({ length: n }, (_, i) => ({
    source: 'HT-UBKT-01', external_id: `WALL-${tag}-${Date.now()}-${i}`, kind: 'inspection_duty',
    conducting_unit: '01', subject: { type: 'organization', unit: units[0].code }, sector: 'land',
    status: 'in_progress', opened_on: today,
  }));
  const sent = await officer.post('/api/v1/ingest/cases', { data: cases });
  expect(sent.status()).toBe(200);
  expect((await sent.json()).accepted).toBe(n);
  await officer.dispose();
}

async function kpi(page: Page, name: string): Promise<number> {
  const v = await page.getByTestId(`wall-kpi-${name}`).getAttribute('data-value');
  return Number(v);
}

test('a display token opens the wall; scenes rotate and new data changes a figure in place', async ({ page, baseURL }) => {
  const admin = await signedIn(baseURL!, DEMO.admin);
  const { token } = await makeDisplay(admin, {
    name: 'Phòng họp Hà Nội', unit: '01', interval_seconds: 8,
    scenes: [{ kind: 'overview' }, { kind: 'map' }, { kind: 'alerts' }],
  });
  await page.goto(`/display#token=${token}`);
  const wall = page.getByTestId('wall');
  await expect(wall).toHaveAttribute('data-phase', 'running');
  await expect(wall).toHaveAttribute('data-scene', 'overview');
  await expect(page.getByTestId('wall-unit')).toHaveText('Thành phố Hà Nội');
  await expect(page.getByTestId('wall-live')).toHaveAttribute('data-state', 'live');
  // The clock and the figures' time are always there, on Vietnam's clock.
  await expect(page.getByTestId('wall-clock')).toContainText(/\d\d:\d\d/);
  await expect(page.getByTestId('wall-fresh')).toContainText(/\d\d:\d\d:\d\d/);

  // The figure is the API's.
  const api = await (await admin.get('/api/v1/overview?unit=01')).json();
  await expect(page.getByTestId('wall-kpi-inspections')).toHaveAttribute('data-value', String(api.figures.inspections));
  const before = await kpi(page, 'inspections');

  // Data arrives: the figure moves, with no reload (the page's own marker survives).
  await page.evaluate(() => ((window as any).__sameWall = true));
  await ingestInspections(baseURL!, 2, 'figure');
  await expect(page.getByTestId('wall-kpi-inspections')).toHaveAttribute('data-value', String(before + 2), { timeout: 20_000 });
  expect(await page.evaluate(() => (window as any).__sameWall)).toBe(true);

  // The scenes rotate by themselves: the map, then the alerts, then the overview again.
  await expect(wall).toHaveAttribute('data-scene', 'map', { timeout: 12_000 });
  await expect(page.locator('.wall .map[data-map-ready="true"]')).toBeVisible({ timeout: 30_000 });
  await expect(wall).toHaveAttribute('data-scene', 'alerts', { timeout: 12_000 });
  await expect(page.getByTestId('wall-sev-counts')).toBeVisible();
  await expect(wall).toHaveAttribute('data-scene', 'overview', { timeout: 12_000 });
  expect(await page.evaluate(() => (window as any).__sameWall)).toBe(true);
  await admin.dispose();
});

test('a revoked token blanks the wall: a neutral screen, never a login form', async ({ page, baseURL }) => {
  const admin = await signedIn(baseURL!, DEMO.admin);
  const { id, token } = await makeDisplay(admin, {
    name: 'Phòng họp tạm', unit: '01', scenes: [{ kind: 'overview' }],
  });
  await page.goto(`/display#token=${token}`);
  await expect(page.getByTestId('wall-kpi-inspections')).toBeVisible();
  await expect(page.getByTestId('wall-live')).toHaveAttribute('data-state', 'live');

  const res = await admin.post(`/api/v1/displays/${id}/revoke`);
  expect(res.status()).toBe(200);
  await expect(page.getByTestId('wall-neutral')).toBeVisible({ timeout: 5_000 });
  await expect(page.getByTestId('wall')).toHaveAttribute('data-phase', 'neutral');
  await expect(page.locator('.wall-kpi')).toHaveCount(0);
  await expect(page.locator('input[type=password]')).toHaveCount(0);
  expect(new URL(page.url()).pathname).toBe('/display');

  // Reopened with the revoked token, or with none, it stays neutral.
  await page.reload();
  await expect(page.getByTestId('wall-neutral')).toBeVisible();
  await page.goto('/display');
  await expect(page.getByTestId('wall-neutral')).toBeVisible();
  await expect(page.locator('input[type=password]')).toHaveCount(0);
  await admin.dispose();
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as any).port;
      s.close(() => resolve(port));
    });
  });
}

async function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as any).port)));
}

/** A second server on the end-to-end database (the one the suite's server started). */
function startServer(port: number, env: Record<string, string> = {}): ChildProcess {
  const bin = process.env.OVERSIGHT_BIN;
  const data = process.env.OVERSIGHT_E2E_DATA;
  if (!bin || !data) throw new Error('OVERSIGHT_BIN and OVERSIGHT_E2E_DATA are set by `cargo xtask test`');
  return spawn(bin, ['serve'], {
    env: { ...process.env, OVERSIGHT_DATA_DIR: data, OVERSIGHT_ADDR: `127.0.0.1:${port}`, RUST_LOG: 'warn', ...env },
    stdio: 'ignore',
  });
}

async function healthy(url: string) {
  for (let i = 0; i < 300; i++) {
    try {
      const r = await fetch(`${url}/health`);
      if (r.ok) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not start`);
}

async function stop(server: ChildProcess) {
  const ended = new Promise((r) => server.once('exit', r));
  server.kill('SIGTERM');
  await ended;
}

test('the wall rides out a server restart and recovers by itself', async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let server = startServer(port);
  try {
    await healthy(url);
    const admin = await signedIn(baseURL!, DEMO.admin);
    const { token } = await makeDisplay(admin, {
      name: 'Phòng họp dự phòng', unit: '01', scenes: [{ kind: 'overview' }],
    });
    await admin.dispose();
    await page.goto(`${url}/display#token=${token}`);
    await expect(page.getByTestId('wall-live')).toHaveAttribute('data-state', 'live');
    const before = await kpi(page, 'inspections');
    await page.evaluate(() => ((window as any).__sameWall = true));

    // The server goes away: a discreet mark, the last figures stay, no error page.
    await stop(server);
    await expect(page.getByTestId('wall-live')).toHaveAttribute('data-state', 'reconnecting', { timeout: 10_000 });
    await expect(page.getByTestId('wall-kpi-inspections')).toHaveAttribute('data-value', String(before));
    // Meanwhile data arrives (through the suite's server, on the same database).
    await ingestInspections(baseURL!, 1, 'restart');
    await page.waitForTimeout(3_000);
    await expect(page.getByTestId('wall')).toHaveAttribute('data-phase', 'running');

    // It comes back: the wall reconnects by itself and fetches what it missed.
    server = startServer(port);
    await healthy(url);
    await expect(page.getByTestId('wall-live')).toHaveAttribute('data-state', 'live', { timeout: 30_000 });
    await expect(page.getByTestId('wall-kpi-inspections')).toHaveAttribute('data-value', String(before + 1), { timeout: 15_000 });
    expect(await page.evaluate(() => (window as any).__sameWall)).toBe(true);
  } finally {
    if (server.exitCode === null) await stop(server);
  }
});

test('only the room system\'s origin may frame the wall', async ({ page, baseURL }) => {
  test.setTimeout(90_000);
  // The room's conferencing system and some other site: two pages of our own on this machine,
  // each framing the wall (the browser treats both as local, as in the room's network).
  const framing = (wallUrl: () => string) => createHttpServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><title>room</title><body style="margin:0">
      <iframe id="wall" src="${wallUrl()}" style="border:0;width:1600px;height:900px"></iframe>
      <iframe id="page" src="${wallUrl().replace(/\/display#.*/, '/login')}" style="border:0;width:300px;height:200px"></iframe></body>`);
  });
  let wallUrl = '';
  const room = framing(() => wallUrl);
  const elsewhere = framing(() => wallUrl);
  const roomPort = await listen(room);
  const elsewherePort = await listen(elsewhere);
  // A server of the center that lets only the room's origin frame the wall.
  const port = await freePort();
  let server = startServer(port, { OVERSIGHT_FRAME_ANCESTORS: `http://localhost:${roomPort}` });
  try {
    await healthy(`http://127.0.0.1:${port}`);
    const admin = await signedIn(baseURL!, DEMO.admin);
    const { token } = await makeDisplay(admin, {
      name: 'Phòng họp nhúng', unit: 'VN', scenes: [{ kind: 'alerts' }],
    });
    await admin.dispose();
    wallUrl = `http://127.0.0.1:${port}/display#token=${token}`;
    const headers = (await fetch(`http://127.0.0.1:${port}/display`)).headers;
    expect(headers.get('content-security-policy')).toContain(`frame-ancestors http://localhost:${roomPort}`);

    // In the room's system the wall runs.
    await page.goto(`http://localhost:${roomPort}/`);
    const framed = page.frameLocator('#wall');
    await expect(framed.getByTestId('wall')).toHaveAttribute('data-phase', 'running', { timeout: 20_000 });
    await expect(framed.getByTestId('wall')).toHaveAttribute('data-scene', 'alerts');
    await expect(framed.getByTestId('wall-live')).toHaveAttribute('data-state', 'live');
    // Even there, no other page of the center may be framed.
    await expect.poll(() => page.frames().filter((f) => f.url().includes('/login')).length).toBe(0);

    // Any other site: the browser refuses to show the wall.
    await page.goto(`http://127.0.0.1:${elsewherePort}/`);
    await page.waitForTimeout(3_000);
    expect(page.frames().filter((f) => f.url().includes('/display')).length).toBe(0);
    await expect(page.frameLocator('#wall').getByTestId('wall')).toHaveCount(0);
  } finally {
    if (server.exitCode === null) await stop(server);
    room.close();
    elsewhere.close();
  }
});

test('an administrator makes a display on /displays, opens its wall and revokes it there', async ({ page, context, baseURL }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await login(page, DEMO.admin);
  // The administrator's menu holds the displays.
  await page.getByTestId('nav-admin').locator('summary').click();
  await page.getByTestId('nav-displays').click();
  await page.waitForURL(/\/displays$/);
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });

  const form = page.getByTestId('display-new');
  const name = `Phòng họp số ${Date.now() % 100000}`;
  // A bad choice is answered naming the field, and nothing is made.
  await form.locator('input[name=name]').fill(name);
  await form.locator('input[name=unit]').fill('99999');
  await form.locator('input[name=interval]').fill('12');
  await form.getByRole('button', { name: /Tạo màn hình/ }).click();
  await expect(form.getByTestId('display-error')).toContainText('unit');
  await form.locator('input[name=unit]').fill('01');
  await form.locator('input[name=directives]').uncheck();
  await form.locator('input[name=units]').fill('01');
  await form.getByRole('button', { name: /Tạo màn hình/ }).click();
  const url = await page.getByTestId('display-url').textContent();
  expect(url).toMatch(/\/display#token=ovs_[A-Za-z0-9_-]+$/);

  // The list shows it, as the API has it.
  const card = page.getByTestId('display').filter({ hasText: name });
  await expect(card).toBeVisible();
  const listed = (await (await page.request.get('/api/v1/displays')).json()).find((d: any) => d.name === name);
  expect(listed.unit).toBe('01');
  expect(listed.interval_seconds).toBe(12);
  expect(listed.scenes).toEqual([{ kind: 'overview' }, { kind: 'map' }, { kind: 'alerts' }, { kind: 'unit', unit: '01' }]);

  // The room opens the address.
  const wall = await context.newPage();
  await wall.goto(url!);
  await expect(wall.getByTestId('wall')).toHaveAttribute('data-phase', 'running');
  await expect(wall.getByTestId('wall-unit')).toHaveText('Thành phố Hà Nội');

  // Revoked from the list (after a confirmation), the wall blanks.
  page.once('dialog', (d) => d.accept());
  await card.getByTestId('display-revoke').click();
  await expect(card).toContainText(/Đã thu hồi/);
  await expect(wall.getByTestId('wall-neutral')).toBeVisible({ timeout: 5_000 });
});
