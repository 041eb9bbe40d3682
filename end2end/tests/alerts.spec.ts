import { test, expect } from '@playwright/test';
import { DEMO, login } from './helpers';

test.use({ viewport: { width: 1024, height: 768 }, hasTouch: true });

test('a leader acknowledges, assigns and resolves an alert, and its history says so', async ({ page }) => {
  await login(page, DEMO.leader);
  const before = await (await page.request.get('/api/v1/alerts?state=open')).json();
  expect(before.open).toBeGreaterThan(0);
  // The badge in the shell counts the open alerts.
  await expect(page.getByTestId('alert-badge')).toHaveAttribute('data-value', String(before.open));
  await page.getByTestId('nav-alerts').tap();
  await page.waitForURL((url) => url.pathname === '/alerts');
  await expect(page.getByTestId('alert-total')).toHaveAttribute('data-value', String(before.total));

  // The first (most severe) new alert.
  const a = before.alerts.find((x: any) => x.state === 'new');
  await page.locator(`.alert-row[data-id="${a.id}"]`).tap();
  const panel = page.getByTestId('alert-panel');
  await expect(panel).toHaveAttribute('data-id', String(a.id));
  await expect(panel.getByTestId('alert-state')).toHaveAttribute('data-value', 'new');

  await panel.locator('button[data-action="acknowledge"]').tap();
  await expect(panel.getByTestId('alert-state')).toHaveAttribute('data-value', 'acknowledged');
  await panel.getByTestId('alert-owner-input').fill('phantich');
  await panel.locator('button[data-action="assign"]').tap();
  await expect(panel.getByTestId('alert-state')).toHaveAttribute('data-value', 'assigned');
  await expect(panel.getByTestId('alert-owner')).toHaveText('phantich');

  // Resolving needs a comment: the server's answer names it.
  await panel.locator('button[data-action="resolve"]').tap();
  await expect(panel.getByTestId('alert-error')).toContainText('comment');
  await panel.getByTestId('alert-comment').fill('Đã liên hệ đơn vị, nguồn dữ liệu gửi lại');
  await panel.locator('button[data-action="resolve"]').tap();
  await expect(panel.getByTestId('alert-state')).toHaveAttribute('data-value', 'resolved');
  const history = panel.getByTestId('alert-history').locator('li');
  const actions = await history.evaluateAll((items) => items.map((i) => i.getAttribute('data-action')));
  expect(actions.slice(-3)).toEqual(['acknowledge', 'assign', 'resolve']);
  await expect(history.last()).toContainText('Đã liên hệ đơn vị');

  // The API says the same, and the badge counts one fewer.
  const detail = await (await page.request.get(`/api/v1/alerts/${a.id}`)).json();
  expect(detail.alert.state).toBe('resolved');
  expect(detail.alert.owner).toBe('phantich');
  await page.reload();
  await expect(page.getByTestId('alert-badge')).toHaveAttribute('data-value', String(before.open - 1));
});
