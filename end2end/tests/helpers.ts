import { Page, expect, APIRequestContext, request } from '@playwright/test';
import { createHmac } from 'node:crypto';

/** The demo accounts (demo-only; see the README). */
export const DEMO = {
  leader: { username: 'lanhdao', password: 'lanhdao-demo' },
  hanoi: { username: 'hanoi', password: 'hanoi-demo' },
  dataOfficer: { username: 'dulieu', password: 'dulieu-demo' },
  admin: { username: 'admin', password: 'admin-demo' },
};

/** The demo accounts whose role logs in with a second factor (README: their secrets are public). */
const SECOND_FACTOR = new Set(['admin', 'lanhdao', 'hanoi']);
/** The last step each account's code was used for: the server accepts a code only once. */
const lastStep = new Map<string, number>();

/** RFC 4226's HOTP: the six-digit code of `secret` at counter `step`. */
export function hotp(secret: Buffer, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const digest = createHmac('sha1', secret).update(counter).digest();
  const offset = digest[19] & 0x0f;
  const n = ((digest[offset] & 0x7f) << 24) | (digest[offset + 1] << 16) | (digest[offset + 2] << 8) | digest[offset + 3];
  return (n % 1_000_000).toString().padStart(6, '0');
}

/** A demo account's authenticator code that has not been used yet: the current step's or the
 *  next one's (the server accepts the step before, the current and the next: either stays
 *  accepted if the step turns while the code travels); waits when both are spent. */
export async function totp(username: string): Promise<string> {
  const secret = Buffer.from(`oversight-demo-${username}`);
  for (;;) {
    const now = Math.floor(Date.now() / 30_000);
    const step = Math.max(now, (lastStep.get(username) ?? -Infinity) + 1);
    if (step <= now + 1) {
      lastStep.set(username, step);
      return hotp(secret, step);
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

/** The login body of a demo account, with its code when its role needs one. */
export async function loginBody(who: { username: string; password: string }) {
  return SECOND_FACTOR.has(who.username) ? { ...who, totp: await totp(who.username) } : { ...who };
}

/** An API client logged in as `who`, sending the session's anti-forgery header with every call. */
export async function apiLogin(baseURL: string, who: { username: string; password: string }): Promise<APIRequestContext> {
  const first = await request.newContext({ baseURL });
  const res = await first.post('/api/v1/auth/login', { data: await loginBody(who) });
  expect(res.status(), await res.text()).toBe(200);
  const state = await first.storageState();
  await first.dispose();
  const csrf = state.cookies.find((c) => c.name === 'oversight_csrf')?.value ?? '';
  return request.newContext({ baseURL, storageState: state, extraHTTPHeaders: { 'x-csrf-token': csrf } });
}

/** The anti-forgery header of a page's session, for its own API calls (`page.request`). */
export async function csrf(page: Page): Promise<Record<string, string>> {
  const cookie = (await page.context().cookies()).find((c) => c.name === 'oversight_csrf');
  return { 'x-csrf-token': cookie?.value ?? '' };
}

/** Sessions made by the login form, kept per account: a later test reuses a live one (as a
 *  person's browser keeps its session), so the suite does not spend an authenticator code on
 *  every test. A session that has ended (logout, expiry) is replaced through the form. */
const sessions = new Map<string, any[]>();

/** Logs in through the login form, as a person would (with the authenticator code when the
 *  account has a second factor). */
export async function login(page: Page, who: { username: string; password: string }) {
  const kept = sessions.get(who.username);
  if (kept) {
    await page.context().addCookies(kept);
    const me = await page.request.get('/api/v1/me');
    if (me.ok() && (await me.json()).username === who.username) {
      await page.goto('/');
      await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
      await expect(page.getByTestId('scope-name')).toBeVisible();
      return;
    }
    sessions.delete(who.username);
    await page.context().clearCookies();
  }
  await page.goto('/');
  await expect(page).toHaveURL(/\/login/);
  // Wait until the app is hydrated (the form is handled by our wasm, not the browser).
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
  await page.getByLabel(/Tên đăng nhập|Username/).fill(who.username);
  await page.getByLabel(/Mật khẩu|Password/).fill(who.password);
  await page.getByRole('button', { name: /Đăng nhập|Log in/ }).click();
  if (SECOND_FACTOR.has(who.username)) {
    const code = page.getByLabel(/Mã xác thực|Authentication code/);
    await expect(code).toBeVisible();
    await code.fill(await totp(who.username));
    await page.getByRole('button', { name: /Xác nhận|Verify/ }).click();
  }
  await page.waitForURL((url) => url.pathname === '/');
  await expect(page.getByTestId('scope-name')).toBeVisible();
  sessions.set(
    who.username,
    (await page.context().cookies()).filter((c) => c.name.startsWith('oversight_')),
  );
}

/** Waits until the map has drawn its areas (the app marks the map ready on MapLibre's idle event). */
export async function mapReady(page: Page) {
  await expect(page.locator('.map[data-map-ready="true"]')).toBeVisible({ timeout: 30_000 });
}

/** The summary the API gives this page's session. */
export async function apiSummary(page: Page) {
  const res = await page.request.get('/api/v1/summary');
  expect(res.status()).toBe(200);
  return res.json();
}

/** vi-VN integer formatting, the way the interface writes numbers. */
export function vi(n: number): string {
  return n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, '.');
}

/** Where a place (lon, lat) is on the screen, projected by the map itself (scrolled into view first). */
export async function mapPoint(page: Page, lon: number, lat: number) {
  await page.locator('.map').scrollIntoViewIfNeeded();
  return page.evaluate(([x, y]) => {
    const m = (window as any).oversightMap;
    const p = m.project([x, y]);
    const r = m.getCanvas().getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  }, [lon, lat]);
}
