import { Page, expect, APIRequestContext } from '@playwright/test';

/** The demo accounts (demo-only; see the README). */
export const DEMO = {
  leader: { username: 'lanhdao', password: 'lanhdao-demo' },
  hanoi: { username: 'hanoi', password: 'hanoi-demo' },
  dataOfficer: { username: 'dulieu', password: 'dulieu-demo' },
  admin: { username: 'admin', password: 'admin-demo' },
};

/** Logs in through the login form, as a person would. */
export async function login(page: Page, who: { username: string; password: string }) {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login/);
  // Wait until the app is hydrated (the form is handled by our wasm, not the browser).
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
  await page.getByLabel(/Tên đăng nhập|Username/).fill(who.username);
  await page.getByLabel(/Mật khẩu|Password/).fill(who.password);
  await page.getByRole('button', { name: /Đăng nhập|Log in/ }).click();
  await page.waitForURL((url) => url.pathname === '/');
  await expect(page.getByTestId('scope-name')).toBeVisible();
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
