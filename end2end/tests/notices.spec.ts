// Urgent notices, as the centre's leader and the provinces use them: the leader writes a notice on
// /notices and sends it to three provinces; it is on those provinces' walls within 2 seconds and
// never on a fourth's; two provinces acknowledge it on their tablets; the leader's page shows, live,
// 2 of 3 acknowledged, and the reminder that goes to the third after the set minute.
import { test, expect, APIRequestContext, Browser, Page } from '@playwright/test';
import { join } from 'node:path';
import { DEMO, apiLogin, login } from './helpers';

const HCM = { username: 'hcm', password: 'hcm-demo' };
const SHOTS = join(__dirname, '..', '..', 'target', 'screenshots');

async function makeDisplay(admin: APIRequestContext, unit: string): Promise<string> {
  const res = await admin.post('/api/v1/displays', {
    data: { name: `Phòng họp ${unit} ${Date.now()}`, unit, scenes: [{ kind: 'alerts' }, { kind: 'directives' }], interval_seconds: 30 },
  });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()).token;
}

async function openWall(browser: Browser, token: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'vi-VN' });
  const wall = await context.newPage();
  await wall.goto(`/display#token=${token}`);
  await expect(wall.getByTestId('wall')).toHaveAttribute('data-phase', 'running', { timeout: 30_000 });
  await expect(wall.getByTestId('wall-live')).toHaveAttribute('data-state', 'live');
  return wall;
}

async function tablet(browser: Browser, who: { username: string; password: string }): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'vi-VN', hasTouch: true });
  const page = await context.newPage();
  await login(page, who);
  return page;
}

test('a notice to three provinces is on their walls within 2 s and not on a fourth; two acknowledge; the sender sees 2 of 3 and the reminder', async ({ browser, baseURL }) => {
  test.setTimeout(240_000);
  const admin = await apiLogin(baseURL!, DEMO.admin);
  const units = ['01', '79', '48', '31'];
  const walls: Record<string, Page> = {};
  for (const unit of units) {
    walls[unit] = await openWall(browser, await makeDisplay(admin, unit));
  }
  // The two provinces' people are on their tablets, on their overview.
  const hanoi = await tablet(browser, DEMO.hanoi);
  const hcm = await tablet(browser, HCM);

  // The centre's leader writes the notice.
  const senderContext = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'vi-VN' });
  const sender = await senderContext.newPage();
  await login(sender, DEMO.leader);
  await sender.getByTestId('nav-notices').click();
  await sender.waitForURL(/\/notices$/);
  const text = `Họp trực tuyến khẩn lúc 14:00 về ứng phó bão số 3 (${Date.now()}).`;
  await sender.getByTestId('notice-text').fill(text);
  for (const unit of ['01', '79', '48']) {
    await sender.getByTestId(`notice-site-${unit}`).click();
  }
  await expect(sender.getByTestId('notice-chosen')).toHaveText('3');
  await sender.getByTestId('notice-remind').selectOption('1');
  await sender.getByTestId('notice-send').click();

  // Within 2 seconds on the three walls, over their scenes.
  for (const unit of ['01', '79', '48']) {
    await expect(walls[unit].getByTestId('wall-notice-text'), unit).toHaveText(text, { timeout: 2_000 });
  }
  await expect(walls['01'].getByTestId('wall-notice-state')).toHaveAttribute('data-state', 'waiting');
  await walls['01'].waitForTimeout(600); // the card's entrance
  await walls['01'].screenshot({ path: `${SHOTS}/notice-wall-1920x1080.png` });
  // Never on the fourth's.
  await walls['31'].waitForTimeout(1_500);
  await expect(walls['31'].getByTestId('wall-notice')).toHaveCount(0);
  const fourth = await walls['31'].request.get('/api/v1/notices');
  expect(fourth.status()).toBe(401); // a wall's page has no session: it reads only through its token

  // The sender's page shows it at once: 0 of 3 acknowledged, then each wall having seen it.
  const item = sender.getByTestId('notice-sent').filter({ hasText: text });
  await expect(item).toBeVisible();
  const id = await item.getAttribute('data-id');
  await expect(sender.getByTestId('notice-detail')).toHaveAttribute('data-id', id!);
  await expect(sender.getByTestId('notice-site-row').filter({ has: sender.locator('[data-state="waiting"]') })).toHaveCount(0);

  // Hà Nội's leader acknowledges on the tablet: the band is on whatever page is open.
  const band = hanoi.getByTestId('notice-card').filter({ hasText: text });
  await expect(band).toBeVisible({ timeout: 5_000 });
  await hanoi.waitForTimeout(300);
  await hanoi.screenshot({ path: `${SHOTS}/notice-tablet-1024x768.png` });
  await band.getByTestId('notice-ack').click();
  await expect(band).toHaveCount(0);
  // Hồ Chí Minh City's analyst too.
  const hcmBand = hcm.getByTestId('notice-card').filter({ hasText: text });
  await expect(hcmBand).toBeVisible({ timeout: 5_000 });
  await hcmBand.getByTestId('notice-ack').click();
  await expect(hcmBand).toHaveCount(0);
  // Hà Nội's wall says so.
  await expect(walls['01'].getByTestId('wall-notice-state')).toHaveAttribute('data-state', 'acknowledged');

  // The sender sees 2 of 3, live, without reloading; the API says the same.
  const tally = item.getByTestId('notice-tally-ack');
  await expect(tally).toHaveAttribute('data-value', '2');
  await expect(tally).toHaveAttribute('data-of', '3');
  const rows = sender.getByTestId('notice-site-row');
  await expect(rows.filter({ has: sender.locator('[data-state="acknowledged"]') })).toHaveCount(2);
  await expect(rows.and(sender.locator('[data-unit="01"]'))).toHaveAttribute('data-state', 'acknowledged');
  await expect(rows.and(sender.locator('[data-unit="79"]'))).toHaveAttribute('data-state', 'acknowledged');
  const leaderApi = await apiLogin(baseURL!, DEMO.leader);
  const record = await (await leaderApi.get(`/api/v1/notices/${id}`)).json();
  expect(record.tally).toMatchObject({ sites: 3, acknowledged: 2 });

  // After the minute, the reminder goes to the third alone: the sender sees it, its wall shows it.
  const third = rows.and(sender.locator('[data-unit="48"]'));
  await expect(third).toHaveAttribute('data-state', 'overdue', { timeout: 90_000 });
  await expect(third.getByTestId('notice-site-reminded')).not.toBeEmpty();
  await expect(item.getByTestId('notice-tally-overdue')).toHaveAttribute('data-value', '1');
  await expect(walls['48'].locator('.wall-notice-reminder')).toBeVisible({ timeout: 5_000 });
  await expect(walls['01'].locator('.wall-notice-reminder')).toHaveCount(0);
  await sender.screenshot({ path: `${SHOTS}/notices-sender-1440x900.png`, fullPage: true });
  const after = await (await leaderApi.get(`/api/v1/notices/${id}`)).json();
  expect(after.tally).toMatchObject({ sites: 3, acknowledged: 2, reminded: 1, overdue: 1 });

  // The leader closes it: the walls take it down.
  sender.once('dialog', (d) => d.accept());
  await sender.getByTestId('notice-close').click();
  for (const unit of ['01', '79', '48']) {
    await expect(walls[unit].getByTestId('wall-notice')).toHaveCount(0, { timeout: 5_000 });
  }
  await leaderApi.dispose();
  await admin.dispose();
});

test('a wall dismisses a notice locally; the sender is told what a refused form field is', async ({ browser, baseURL }) => {
  const admin = await apiLogin(baseURL!, DEMO.admin);
  const wall = await openWall(browser, await makeDisplay(admin, '46'));
  const leader = await apiLogin(baseURL!, DEMO.leader);
  const sent = await leader.post('/api/v1/notices', {
    data: { text: 'Kiểm tra lại số liệu quý III trước 17:00.', severity: 'info', sites: ['46'] },
  });
  expect(sent.status(), await sent.text()).toBe(201);
  await expect(wall.getByTestId('wall-notice')).toHaveAttribute('data-severity', 'info', { timeout: 5_000 });
  await wall.keyboard.press('Escape');
  await expect(wall.getByTestId('wall-notice')).toHaveCount(0);

  // A link outside the center is refused, naming the field, and nothing is sent.
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await login(page, DEMO.leader);
  await page.goto('/notices');
  const before = (await (await leader.get('/api/v1/notices')).json()).sent.length;
  await page.getByTestId('notice-text').fill('Liên kết ngoài');
  await page.getByTestId('notice-site-01').click();
  await page.getByLabel(/Màn hình liên quan/).fill('https://evil.example/');
  await page.getByTestId('notice-send').click();
  await expect(page.getByTestId('notice-error')).toContainText('link');
  expect((await (await leader.get('/api/v1/notices')).json()).sent.length).toBe(before);
  await leader.post(`/api/v1/notices/${(await sent.json()).id}/close`);
  await leader.dispose();
  await admin.dispose();
});
