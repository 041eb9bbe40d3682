// Issue 9, as people meet it: a leader's second factor at login (a wrong code refused, the right
// one passes), a person setting up an authenticator app and logging in with a recovery code, an
// administrator searching the audit trail, and pages that run under a strict policy.
import { test, expect, Page } from '@playwright/test';
import { DEMO, csrf, hotp, login, totp } from './helpers';

/** Base32 (RFC 4648, no padding) to bytes: a secret as an authenticator app reads it. */
function base32(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/=+$/, '').toUpperCase()) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The code of `secret` now, as the person's new app shows it. */
function codeOf(secret: Buffer): string {
  return hotp(secret, Math.floor(Date.now() / 30_000));
}

async function fillLogin(page: Page, username: string, password: string) {
  await page.goto('/login');
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
}

test('a leader gives the authenticator code after the password; a wrong code is refused', async ({ page }) => {
  // Nothing the page runs breaks the Content-Security-Policy (its scripts carry the nonce).
  const violations: string[] = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
  await fillLogin(page, DEMO.leader.username, DEMO.leader.password);
  const code = page.getByLabel('Mã xác thực');
  await expect(code).toBeVisible();
  await expect(code).toBeFocused();
  await expect(page.getByLabel('Mật khẩu', { exact: true })).toBeHidden();
  await code.fill('000000');
  await page.getByRole('button', { name: 'Xác nhận' }).click();
  await expect(page.getByTestId('login-error')).toHaveText('Mã không đúng hoặc đã được dùng. Chờ mã kế tiếp rồi thử lại.');
  await expect(page).toHaveURL(/\/login/);
  await code.fill(await totp('lanhdao'));
  await page.getByRole('button', { name: 'Xác nhận' }).click();
  await page.waitForURL((url) => url.pathname === '/');
  await expect(page.getByTestId('scope-name')).toBeVisible();
  await expect(page.locator('.map[data-map-ready="true"]')).toBeVisible({ timeout: 30_000 });
  expect(violations).toEqual([]);
  // The page's own scripts carry the response's nonce; the policy names no unsafe-inline script.
  const res = await page.request.get('/');
  const policy = res.headers()['content-security-policy'];
  const scripts = policy.split(';').map((d: string) => d.trim()).find((d: string) => d.startsWith('script-src'))!;
  expect(scripts).toMatch(/^script-src 'self' 'nonce-[A-Za-z0-9_-]+' 'wasm-unsafe-eval'$/);
});

test('a person sets up an authenticator app on their account and later logs in with a recovery code', async ({ page }) => {
  const analyst = { username: 'phantich', password: 'phantich-demo' };
  await login(page, analyst);
  await page.getByTestId('user').click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId('acc-username')).toHaveText('phantich');
  await expect(page.getByTestId('acc-2fa')).toHaveAttribute('data-enrolled', 'false');
  await page.getByTestId('acc-setup').locator('summary').click();
  await page.locator('#acc-setup-password').fill('wrong password');
  await page.getByTestId('acc-setup').getByRole('button', { name: 'Thiết lập ứng dụng xác thực mới' }).click();
  await expect(page.getByTestId('acc-setup-error')).toContainText('password');
  await page.locator('#acc-setup-password').fill(analyst.password);
  await page.getByTestId('acc-setup').getByRole('button', { name: 'Thiết lập ứng dụng xác thực mới' }).click();
  await expect(page.locator('.totp-qr svg')).toBeVisible();
  const secret = base32((await page.getByTestId('acc-secret').textContent())!.trim());
  await page.locator('#acc-confirm').fill(codeOf(secret));
  await page.getByRole('button', { name: 'Xác nhận' }).click();
  const codes = page.getByTestId('acc-codes').locator('li code');
  await expect(codes).toHaveCount(10);
  const recovery = (await codes.nth(0).textContent())!.trim();
  await expect(page.getByTestId('acc-2fa')).toHaveAttribute('data-enrolled', 'true');
  await expect(page.getByTestId('acc-codes-left')).toHaveText('10');

  // Logged out, the analyst now needs the second factor; a recovery code works, once.
  expect((await page.request.post('/api/v1/auth/logout', { headers: await csrf(page) })).status()).toBe(204);
  await fillLogin(page, analyst.username, analyst.password);
  await page.getByLabel('Mã xác thực').fill(recovery);
  await page.getByRole('button', { name: 'Xác nhận' }).click();
  await page.waitForURL((url) => url.pathname === '/');
  await page.goto('/account');
  await expect(page.getByTestId('acc-codes-left')).toHaveText('9');
});

test('an administrator finds failed logins in the audit trail', async ({ page, browser }) => {
  // Someone tries a wrong password for hcm.
  const other = await browser.newContext();
  const stranger = await other.newPage();
  await fillLogin(stranger, 'hcm', 'not-the-password');
  await expect(stranger.getByTestId('login-error')).toHaveText('Sai tên đăng nhập hoặc mật khẩu.');
  await other.close();

  await login(page, DEMO.admin);
  await page.getByTestId('nav-admin').locator('summary').click();
  await page.getByTestId('nav-audit').click();
  await expect(page).toHaveURL(/\/audit$/);
  await expect(page.getByTestId('audit-row').first()).toBeVisible();
  await page.locator('input[name="actor"]').fill('hcm');
  await page.locator('select[name="action"]').selectOption('login_failed');
  await page.getByRole('button', { name: 'Tìm' }).click();
  const rows = page.getByTestId('audit-row');
  await expect(rows.first()).toBeVisible();
  await expect(rows.first()).toContainText('hcm');
  await expect(rows.first()).toContainText('wrong password');
  for (const action of await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-action')))) {
    expect(action).toBe('login_failed');
  }
  // The trail's answer is the API's, entry for entry.
  const api = await (await page.request.get('/api/v1/audit?actor=hcm&action=login_failed')).json();
  await expect(rows).toHaveCount(api.entries.length);
});
