// The database goes away under an open screen: a server of this test's own (its own data set,
// port and private PostgreSQL cluster, so the suite's shared server never notices) loses its
// PostgreSQL; the screen says so with a banner within the shell's health check, and the banner
// goes by itself once the database is back, without a reload.
import { test, expect, Page } from '@playwright/test';
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, openSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
/** This test's data directory (its cluster lives in `pg/cluster`, as the server makes it). */
const data = path.join(root, 'target/e2e-degraded');
const pgRoot = path.join(data, 'pg');
const pgData = path.join(pgRoot, 'cluster');
const analyst = { username: 'phantich', password: 'phantich-demo' };

const BANNER_VI =
  'Cơ sở dữ liệu đang gián đoạn: số liệu có thể chưa mới, thao tác ghi tạm thời chưa thực hiện được. Hệ thống tự khôi phục khi kết nối trở lại.';
const BANNER_EN =
  'The database is unavailable: figures may be out of date and changes cannot be saved for now. The center recovers by itself when it returns.';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is set by \`cargo xtask test\` (see the README)`);
  return value;
}

/** PostgreSQL's pg_ctl, found as the server finds it: the newest /usr/lib/postgresql/N/bin, else PATH. */
function pgCtl(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base).filter((v) => /^\d+$/.test(v) && existsSync(path.join(base, v, 'bin/pg_ctl')))
    : [];
  versions.sort((a, b) => Number(a) - Number(b));
  return versions.length ? path.join(base, versions[versions.length - 1], 'bin/pg_ctl') : 'pg_ctl';
}

/** Runs pg_ctl on this test's cluster, as the `postgres` user when we are root (as the server does). */
function pgctl(args: string[]) {
  const [cmd, all] = process.getuid?.() === 0
    ? ['runuser', ['-u', 'postgres', '--', pgCtl(), '-D', pgData, ...args]]
    : [pgCtl(), ['-D', pgData, ...args]];
  return spawnSync(cmd, all, { cwd: pgRoot, encoding: 'utf8', timeout: 90_000 });
}

/** Stops the cluster if a run cut short left it running. */
function stopLeftCluster() {
  if (existsSync(path.join(pgData, 'postmaster.pid'))) pgctl(['-m', 'fast', '-w', 'stop']);
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as any).port;
      s.close(() => resolve(port));
    });
  });
}

async function healthy(url: string) {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not become healthy`);
}

async function stop(server: ChildProcess) {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const ended = new Promise((r) => server.once('exit', r));
  server.kill('SIGTERM');
  await ended;
}

/** The banner at the tablet, desktop and large-screen sizes, in target/screenshots/. */
async function screenshots(page: Page, name: string) {
  const dir = path.join(root, 'target/screenshots');
  mkdirSync(dir, { recursive: true });
  for (const [width, height] of [[1024, 768], [1440, 900], [1920, 1080]]) {
    await page.setViewportSize({ width, height });
    await expect(page.getByTestId('degraded')).toBeVisible();
    await page.screenshot({ path: path.join(dir, `${name}-${width}x${height}.png`) });
  }
}

test('a screen says the database is away and recovers by itself when it returns', async ({ page }) => {
  test.setTimeout(300_000);
  const bin = required('OVERSIGHT_BIN');
  const site = required('OVERSIGHT_SITE_DIR');
  stopLeftCluster();
  rmSync(data, { recursive: true, force: true });
  mkdirSync(data, { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    OVERSIGHT_DATA_DIR: data,
    OVERSIGHT_ADDR: `127.0.0.1:${port}`,
    OVERSIGHT_SITE_DIR: site,
    RUST_LOG: 'warn',
  };
  delete env.DATABASE_URL;
  const seeded = spawnSync(bin, ['seed', '--size', 'tiny', '--seed', '7'], { env, encoding: 'utf8', timeout: 240_000 });
  expect(seeded.status, seeded.stderr).toBe(0);
  const log = openSync(path.join(data, 'server.log'), 'w');
  const server = spawn(bin, ['serve'], { env, stdio: ['ignore', log, log] });
  try {
    await healthy(url);
    // An analyst (no second factor) on the overview, through the login form.
    await page.goto(`${url}/login`);
    await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
    await page.getByLabel('Tên đăng nhập').fill(analyst.username);
    await page.getByLabel('Mật khẩu').fill(analyst.password);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.waitForURL(`${url}/`);
    await expect(page.getByTestId('scope-name')).toBeVisible();
    await expect(page.getByTestId('live')).toHaveAttribute('data-state', 'live');
    await expect(page.getByTestId('degraded')).toHaveCount(0);
    // The same page throughout: a reload would lose this mark.
    await page.evaluate(() => ((window as any).__samePage = true));
    // The private cluster commits sessions asynchronously: give the login's write time to reach
    // the disk before the crash (PostgreSQL's WAL writer flushes within 200 ms).
    await page.waitForTimeout(1_000);

    // PostgreSQL crashes (an immediate stop): the banner within the health check's 15 s.
    const stopped = pgctl(['-m', 'immediate', '-w', 'stop']);
    expect(stopped.status, `${stopped.stdout}${stopped.stderr}`).toBe(0);
    const health = await fetch(`${url}/api/v1/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'degraded', database: 'down' });
    const banner = page.getByTestId('degraded');
    await expect(banner).toBeVisible({ timeout: 20_000 });
    await expect(banner).toHaveText(BANNER_VI);
    await expect(banner).toHaveAttribute('role', 'alert');
    await screenshots(page, 'degraded-vi');
    // In English too.
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await expect(banner).toHaveText(BANNER_EN);
    await screenshots(page, 'degraded-en');
    await page.getByRole('button', { name: 'VI', exact: true }).click();
    await expect(banner).toHaveText(BANNER_VI);

    // PostgreSQL is back: the banner goes by itself, on the same page, still logged in.
    const started = pgctl(['-l', path.join(pgRoot, 'postgresql.log'), '-w', '-t', '60', 'start']);
    expect(started.status, `${started.stdout}${started.stderr}`).toBe(0);
    await expect.poll(async () => (await fetch(`${url}/api/v1/health`)).status, { timeout: 10_000 }).toBe(200);
    await expect(banner).toHaveCount(0, { timeout: 20_000 });
    expect(await page.evaluate(() => (window as any).__samePage)).toBe(true);
    await expect(page).toHaveURL(`${url}/`);
    await expect(page.getByTestId('scope-name')).toBeVisible();
    const me = await page.request.get(`${url}/api/v1/me`);
    expect(me.status()).toBe(200);
    expect((await me.json()).username).toBe(analyst.username);
  } finally {
    // SIGTERM: the server stops gracefully and stops the cluster it started; one it did not
    // (started again above) is stopped here.
    await stop(server);
    stopLeftCluster();
  }
});
