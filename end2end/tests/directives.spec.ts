import { test, expect } from '@playwright/test';
import { DEMO, login } from './helpers';

test.use({ viewport: { width: 1024, height: 768 }, hasTouch: true });

test('a leader opens a directive on a tablet and sees its tasks for a province, as the API gives them', async ({ page }) => {
  await login(page, DEMO.leader);
  const list = await (await page.request.get('/api/v1/directives')).json();
  await page.getByRole('link', { name: 'Nghị quyết, chỉ thị' }).tap();
  await page.waitForURL((url) => url.pathname === '/directives');
  const items = page.getByTestId('directive-list').locator('.directive-item');
  await expect(items).toHaveCount(list.directives.length);

  // The directive with the most tasks.
  const d = [...list.directives].sort((a: any, b: any) => b.tasks.assigned - a.tasks.assigned)[0];
  await page.locator(`.directive-item[data-code="${d.code}"]`).tap();
  await page.waitForURL((url) => url.pathname === `/directives/${d.code}`);
  const summary = page.getByTestId('directive-summary');
  for (const state of ['on_track', 'at_risk', 'overdue', 'done']) {
    await expect(summary.locator(`.fig[data-state="${state}"]`)).toHaveAttribute('data-value', String(d.tasks[state]));
  }

  // Its tasks in a province: the one with the most tasks in the table.
  const detail = await (await page.request.get(`/api/v1/directives/${d.code}`)).json();
  const province = [...detail.by_unit].filter((u: any) => u.unit.length === 2)
    .sort((a: any, b: any) => b.tasks.assigned - a.tasks.assigned)[0];
  const row = page.getByTestId('unit-tasks').locator(`tr[data-unit="${province.unit}"]`);
  await expect(row).toHaveAttribute('data-assigned', String(province.tasks.assigned));
  await row.getByRole('link').tap();
  await page.waitForURL((url) => url.searchParams.get('unit') === province.unit);
  await expect(page.getByTestId('directive-unit')).toHaveText(province.name);
  const own = await (await page.request.get(`/api/v1/directives/${d.code}?unit=${province.unit}`)).json();
  for (const state of ['on_track', 'at_risk', 'overdue', 'done']) {
    await expect(summary.locator(`.fig[data-state="${state}"]`)).toHaveAttribute('data-value', String(own.directive.tasks[state]));
  }
  if (own.tasks.length > 0) {
    const tasks = page.getByTestId('own-tasks').locator('.task-item');
    await expect(tasks).toHaveCount(own.tasks.length);
    await expect(tasks.first()).toHaveAttribute('data-state', own.tasks[0].state);
    await expect(tasks.first()).toContainText(own.tasks[0].title);
  }
  // Back to the whole scope.
  await page.getByRole('link', { name: 'Toàn bộ phạm vi' }).tap();
  await page.waitForURL((url) => url.pathname === `/directives/${d.code}` && !url.searchParams.has('unit'));
  await expect(page.getByTestId('directive-unit')).toHaveText('Trung ương');
});
