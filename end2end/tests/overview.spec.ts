import { test, expect } from '@playwright/test';
import { DEMO, login, mapReady, mapPoint, apiSummary, vi } from './helpers';

test('a visitor without a session is sent to the login page', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login\?next=%2F|\/login\?next=\//);
  await expect(page.getByRole('heading', { name: 'Đăng nhập hệ thống' })).toBeVisible();
});

test('a wrong password is answered with a clear message', async ({ page }) => {
  await page.goto('/login');
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
  await page.getByLabel('Tên đăng nhập').fill('lanhdao');
  await page.getByLabel('Mật khẩu').fill('not-the-password');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(page.getByTestId('login-error')).toHaveText('Sai tên đăng nhập hoặc mật khẩu.');
  await expect(page).toHaveURL(/\/login/);
});

test('the leader sees 34 provinces on the map and figures equal to /summary', async ({ page }) => {
  await login(page, DEMO.leader);
  const summary = await apiSummary(page);
  expect(summary.unit).toBe('VN');
  await expect(page.getByTestId('scope-name')).toHaveText(summary.unit_name);
  // The tiles' figures are this year's, as /summary counts them.
  for (const [id, field] of [
    ['kpi-inspections', 'inspections'], ['kpi-supervisions', 'supervisions'],
    ['kpi-disciplines', 'disciplines'], ['kpi-violations', 'violations'], ['kpi-settlements', 'settlements'],
  ] as const) {
    await expect(page.getByTestId(id)).toHaveAttribute('data-value', String(summary.current[field]));
  }
  for (const id of ['kpi-disciplines', 'kpi-violations', 'kpi-settlements'] as const) {
    const field = id.slice(4);
    await expect(page.getByTestId(id).locator('.kpi-value')).toHaveText(vi(summary.current[field]));
  }
  // The figures are real, not zero: the tiny data set has cases this year.
  expect(summary.current.cases).toBeGreaterThan(0);

  await mapReady(page);
  const map = page.locator('.map');
  await expect(map).toHaveAttribute('data-feature-count', '34');
  await expect(map).toHaveAttribute('data-rendered-provinces', '34');
});

test('a click on the map selects the province under the pointer', async ({ page }) => {
  await login(page, DEMO.leader);
  await mapReady(page);
  // Hà Nội's centre.
  const point = await mapPoint(page, 105.85, 21.03);
  await page.mouse.click(point.x, point.y);
  await expect(page.getByTestId('unit-panel')).toHaveAttribute('data-code', '01');
});

test('the language switch turns the interface to English and back', async ({ page }) => {
  await login(page, DEMO.leader);
  await expect(page.getByRole('heading', { level: 3, name: 'Cuộc kiểm tra' })).toBeVisible();
  await page.getByRole('button', { name: 'EN', exact: true }).click();
  await expect(page.getByRole('heading', { level: 3, name: 'Inspections' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  // The choice survives a reload (the server renders English from the cookie).
  await page.reload();
  await expect(page.getByRole('heading', { level: 3, name: 'Inspections' })).toBeVisible();
  await page.getByRole('button', { name: 'VI', exact: true }).click();
  await expect(page.getByRole('heading', { level: 3, name: 'Cuộc kiểm tra' })).toBeVisible();
});

test('a province-scoped user sees only that province', async ({ page }) => {
  await login(page, DEMO.hanoi);
  const summary = await apiSummary(page);
  expect(summary.unit).toBe('01');
  await expect(page.getByTestId('scope-name')).toHaveText('Thành phố Hà Nội');
  await expect(page.getByTestId('kpi-inspections')).toHaveAttribute('data-value', String(summary.current.inspections));
  // The map shows Hà Nội's communes only, and the ranking lists only Hà Nội's units.
  await mapReady(page);
  const communes = summary.children.filter((u: any) => /^\d{5}$/.test(u.code)).length;
  await expect(page.locator('.map')).toHaveAttribute('data-feature-count', String(communes));
  const codes = await page.locator('.rank-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-code')));
  expect(codes.length).toBeGreaterThan(0);
  for (const c of codes) expect(c).toMatch(/^\d{5}$/);
  // Another province's data is refused by the API.
  const other = await page.request.get('/api/v1/summary?unit=79');
  expect(other.status()).toBe(403);
  const provinces = await page.request.get('/api/v1/boundaries?level=province');
  const fc = await provinces.json();
  expect(fc.features.map((f: any) => f.properties.code)).toEqual(['01']);
});

test('logging out ends the session', async ({ page }) => {
  await login(page, DEMO.leader);
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await expect(page).toHaveURL(/\/login/);
  const me = await page.request.get('/api/v1/me');
  expect(me.status()).toBe(401);
});
