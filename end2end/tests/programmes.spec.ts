import { test, expect } from '@playwright/test';
import { DEMO, login, mapReady } from './helpers';

test.use({ viewport: { width: 1024, height: 768 }, hasTouch: true });

test('a leader opens the programmes, one programme with its coverage as the API gives it, a unit\'s remote view, and compares two', async ({ page }) => {
  await login(page, DEMO.leader);
  // The navigation leads to the programmes.
  // On a tablet the programmes wait in the navigation's "more" menu.
  await page.getByTestId('nav-more').locator('summary').tap();
  await page.getByTestId('nav-more-programmes').tap();
  await page.waitForURL((url) => url.pathname === '/programmes');
  const list = await (await page.request.get('/api/v1/programmes')).json();
  expect(list.programmes.length).toBeGreaterThanOrEqual(2);
  const cards = page.getByTestId('programme-list').locator('.programme-card');
  await expect(cards).toHaveCount(list.programmes.length);
  const shownIds = await cards.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-id'))));
  expect(shownIds).toEqual(list.programmes.map((p: any) => p.id));
  for (const [i, p] of list.programmes.slice(0, 3).entries()) {
    await expect(cards.nth(i).getByTestId('card-coverage')).toHaveAttribute('data-value', String(p.coverage.share ?? 0));
  }

  // Open the first programme: its coverage figure is the API's, written as vi-VN writes it.
  const first = list.programmes[0];
  await cards.nth(0).locator('.programme-link').tap();
  await page.waitForURL((url) => url.pathname === `/programmes/${first.id}`);
  const d = await (await page.request.get(`/api/v1/programmes/${first.id}`)).json();
  const cov = page.getByTestId('coverage-share');
  await expect(cov).toHaveAttribute('data-supervised', String(d.programme.coverage.supervised));
  await expect(cov).toHaveAttribute('data-planned', String(d.programme.coverage.planned_units));
  const pct = ((d.programme.coverage.share ?? 0) * 100).toFixed(1).replace('.', ',') + '%';
  await expect(cov).toHaveText(pct);
  await expect(page.getByTestId('programme-name')).toHaveText(d.programme.name);
  // The milestones, the findings and the units, as the API has them.
  const ms = page.getByTestId('milestones').locator('.milestone');
  await expect(ms).toHaveCount(d.programme.milestones.length);
  const states = await ms.evaluateAll((els) => els.map((e) => [e.getAttribute('data-state'), Number(e.getAttribute('data-achieved'))]));
  expect(states).toEqual(d.programme.milestones.map((m: any) => [m.state, m.achieved]));
  await expect(page.getByTestId('findings-cases')).toHaveAttribute('data-value', String(d.programme.findings.cases));
  await expect(page.getByTestId('findings-violations')).toHaveAttribute('data-value', String(d.programme.findings.violations));
  const rows = page.getByTestId('programme-units').locator('tbody tr');
  await expect(rows).toHaveCount(d.units.length);
  const units = await rows.evaluateAll((els) => els.map((e) => [e.getAttribute('data-unit'), e.getAttribute('data-stage')]));
  expect(units).toEqual(d.units.map((u: any) => [u.unit, u.stage ?? 'none']));
  // The coverage on the map.
  await mapReady(page);

  // A supervised unit's remote view: what the center holds about it.
  const unit = d.units.find((u: any) => u.stage !== null) ?? d.units[0];
  await page.locator(`tr[data-unit="${unit.unit}"]`).getByTestId('remote-link').tap();
  await page.waitForURL((url) => url.pathname === `/remote/${unit.unit}`);
  const r = await (await page.request.get(`/api/v1/units/${unit.unit}/remote`)).json();
  await expect(page.getByTestId('remote-unit')).toHaveText(r.name);
  await expect(page.getByTestId('remote-cases')).toHaveAttribute('data-value', String(r.cases.total));
  await expect(page.getByTestId('remote-open')).toHaveAttribute('data-value', String(r.cases.open));
  await expect(page.getByTestId('remote-tasks-overdue')).toHaveAttribute('data-value', String(r.task_counts.overdue));
  await expect(page.getByTestId('remote-alerts')).toHaveAttribute('data-value', String(r.alerts.length));
  if (r.cases.recent.length > 0) {
    await expect(page.getByTestId('remote-recent-cases').locator('.case-brief')).toHaveCount(r.cases.recent.length);
  }
  if (r.sources.length > 0) {
    await expect(page.getByTestId('remote-sources').locator('.remote-source')).toHaveCount(r.sources.length);
  }
  // The programme that planned it is listed, and leads back to it.
  await expect(page.getByTestId('remote-programmes').locator(`a[href="/programmes/${first.id}"]`)).toBeVisible();

  // Back to the list: pick two programmes and compare them side by side.
  await page.goto('/programmes');
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
  await expect(page.getByTestId('compare-go')).toHaveAttribute('aria-disabled', 'true');
  const second = list.programmes[1];
  await cards.nth(0).getByTestId('pick').check();
  await cards.nth(1).getByTestId('pick').check();
  await expect(page.getByTestId('picked-count')).toHaveText('2');
  await expect(page.getByTestId('compare-go')).toHaveAttribute('aria-disabled', 'false');
  await page.getByTestId('compare-go').tap();
  await page.waitForURL((url) => url.pathname === '/programmes/compare');
  const cmp = await (await page.request.get(`/api/v1/programmes/compare?ids=${first.id},${second.id}`)).json();
  const table = page.getByTestId('compare-table');
  await expect(table.locator('thead th[data-id]')).toHaveCount(2);
  const heads = await table.locator('thead th[data-id]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-id'))));
  expect(heads).toEqual([first.id, second.id]);
  const covers = await table.getByTestId('cmp-coverage').locator('.cmp-cover').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
  expect(covers).toEqual(cmp.programmes.map((p: any) => p.coverage.share ?? 0));
});

test('a province\'s user sees only its own programmes and cannot open another province\'s unit remotely', async ({ page }) => {
  await login(page, DEMO.hanoi);
  await page.goto('/programmes');
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
  const list = await (await page.request.get('/api/v1/programmes')).json();
  expect(list.programmes.every((p: any) => p.owner_unit === '01')).toBe(true);
  await expect(page.getByTestId('programme-list').locator('.programme-card')).toHaveCount(list.programmes.length);
  expect((await page.request.get('/api/v1/units/79/remote')).status()).toBe(403);
  await page.goto('/remote/79');
  await expect(page.locator('.load-failed')).toBeVisible();
});
