import { test, expect, Page } from '@playwright/test';
import { DEMO, login, mapReady, mapPoint, vi } from './helpers';

test.use({ viewport: { width: 1024, height: 768 }, hasTouch: true });

async function overviewOf(page: Page, unit?: string) {
  const res = await page.request.get(unit ? `/api/v1/overview?unit=${unit}` : '/api/v1/overview');
  expect(res.status()).toBe(200);
  return res.json();
}

/** The target tiles show what the API gives: achieved, expected by today, the gap, the year-end forecast. */
async function expectTiles(page: Page, o: any) {
  await expect(page.getByTestId('scope-name')).toHaveText(o.unit_name);
  for (const measure of ['inspections', 'supervisions', 'settled_on_time']) {
    const line = o.targets.find((t: any) => t.measure === measure && t.sector === null);
    if (!line) {
      continue;
    }
    const a = line.attainment;
    await expect(page.getByTestId(`achieved-${measure}`)).toHaveText(vi(a.achieved));
    await expect(page.getByTestId(`expected-${measure}`)).toHaveText(vi(Math.round(a.expected)));
    const f = line.forecast;
    if (f) {
      // The year-end forecast, its 80 % range widened to whole cases (drawn as a whisker), the
      // chance, the backtest.
      await expect(page.getByTestId(`forecast-${measure}`)).toHaveText(vi(Math.round(f.point)));
      if (f.low !== null) {
        await expect(page.getByTestId(`forecast-low-${measure}`)).toHaveText(vi(Math.floor(f.low)));
        await expect(page.getByTestId(`forecast-high-${measure}`)).toHaveText(vi(Math.ceil(f.high)));
        await expect(page.getByTestId(`kpi-${measure}`).locator('.bullet-range')).toHaveCount(1);
      }
      if (f.chance_of_meeting !== null) {
        await expect(page.getByTestId(`chance-${measure}`)).toHaveText(chance(f.chance_of_meeting));
      }
      const note = page.getByTestId(`forecast-note-${measure}`);
      if (f.backtest.mape !== null) {
        const backtest = page.getByTestId(`backtest-${measure}`);
        await expect(backtest).toHaveAttribute('data-mape', String(f.backtest.mape));
        await expect(backtest).toHaveText(`${Math.round(f.backtest.mape * 100)}%`);
        await expect(note).toContainText(`${f.backtest.years} năm trước`);
      } else {
        await expect(note).toContainText('Chưa đủ số năm trước để kiểm định.');
      }
    } else {
      await expect(page.getByTestId(`projected-${measure}`)).toContainText(vi(Math.round(a.projected)));
    }
    await expect(page.getByTestId(`state-${measure}`)).toHaveAttribute('data-gap', String(Math.round(a.gap)));
  }
  // Each sector target's forecast, beside its figures.
  for (const line of o.targets.filter((t: any) => t.sector !== null && t.forecast)) {
    const f = page.getByTestId(`forecast-sector-${line.sector}`);
    await expect(f).toHaveAttribute('data-value', String(line.forecast.point));
    await expect(f).toHaveText(`→ ${vi(Math.round(line.forecast.point))}`);
  }
}

/** A probability as the tiles write it: whole percent, never a false certainty. */
const chance = (p: number) => (p > 0.99 && p < 1 ? '> 99%' : p < 0.01 && p > 0 ? '< 1%' : `${Math.round(p * 100)}%`);

/** Achieved over expected, as the ranking orders them. */
const pace = (c: any, m = 'inspections') => (c[m] && c[m].expected > 0 ? c[m].achieved / c[m].expected : null);

test('a leader taps through to a commune and back, and every figure is the API\'s', async ({ page }) => {
  await login(page, DEMO.leader);
  const centre = await overviewOf(page);
  expect(centre.unit).toBe('VN');
  await expectTiles(page, centre);
  // The centre was given no targets of its own: the tiles add up the provinces'.
  expect(centre.targets.find((t: any) => t.measure === 'inspections').from_children).toBe(34);
  await mapReady(page);
  await expect(page.locator('.map')).toHaveAttribute('data-feature-count', '34');

  // Furthest behind: the lowest paces first, as the API's figures order them.
  const paced = centre.children.filter((c: any) => pace(c) !== null)
    .sort((a: any, b: any) => pace(a) - pace(b) || a.code.localeCompare(b.code));
  const behind = page.getByTestId('behind').locator('.rank-row');
  await expect(behind).toHaveCount(5);
  await expect(behind.first()).toHaveAttribute('data-code', paced[0].code);
  const ahead = page.getByTestId('ahead').locator('.rank-row');
  await expect(ahead.first()).toHaveAttribute('data-code', paced[paced.length - 1].code);

  // Tap the province furthest behind: its own overview.
  const province = paced[0];
  await behind.first().tap();
  await page.waitForURL((url) => url.pathname === `/overview/${province.code}`);
  const p = await overviewOf(page, province.code);
  await expectTiles(page, p);
  const own = p.targets.find((t: any) => t.measure === 'inspections' && t.sector === null).attainment;
  expect(own.achieved).toBe(province.inspections.achieved);
  expect(own.planned).toBe(province.inspections.planned);
  await expect(page.getByTestId('crumbs').locator('a.crumb')).toHaveCount(1);
  await mapReady(page);
  expect(p.children.length).toBeGreaterThan(0);

  // Then one of its communes, from the full list.
  await page.locator('.all-children summary').tap();
  const commune = p.children[0];
  await page.getByTestId('ranking').locator(`.rank-row[data-code="${commune.code}"]`).tap();
  await page.waitForURL((url) => url.pathname === `/overview/${commune.code}`);
  const c = await overviewOf(page, commune.code);
  await expectTiles(page, c);
  expect(c.trail.map((t: any) => t.code)).toEqual(['VN', province.code, commune.code]);
  const crumbs = page.getByTestId('crumbs');
  await expect(crumbs.locator('a.crumb')).toHaveCount(2);
  await expect(crumbs.locator('.crumb.current')).toHaveText(commune.name);

  // The breadcrumb goes back: to the province, then to the whole country.
  await crumbs.locator(`a.crumb[data-code="${province.code}"]`).tap();
  await page.waitForURL((url) => url.pathname === `/overview/${province.code}`);
  await expect(page.getByTestId('scope-name')).toHaveText(p.unit_name);
  await page.getByTestId('crumbs').locator('a.crumb').first().tap();
  await page.waitForURL((url) => url.pathname === '/');
  await expect(page.getByTestId('scope-name')).toHaveText(centre.unit_name);

  // Touch targets are at least 44 px high.
  for (const sel of ['.seg', '.rank-row', '.nav a']) {
    const box = await page.locator(sel).first().boundingBox();
    expect(box!.height, sel).toBeGreaterThanOrEqual(44);
  }
});

test('a tap on the map shows a province\'s attainment, and its button opens the province', async ({ page }) => {
  await login(page, DEMO.leader);
  const centre = await overviewOf(page);
  await mapReady(page);
  const point = await mapPoint(page, 105.85, 21.03);
  await page.touchscreen.tap(point.x, point.y);
  const panel = page.getByTestId('unit-panel');
  await expect(panel).toHaveAttribute('data-code', '01');
  const hanoi = centre.children.find((c: any) => c.code === '01');
  await expect(panel.locator('tbody tr').first().locator('td').first())
    .toHaveText(`${vi(hanoi.inspections.achieved)} / ${vi(hanoi.inspections.planned)}`);
  // The other measures colour the map too.
  await page.locator('.seg[data-measure="supervisions"]').tap();
  await expect(page.locator('.seg[data-measure="supervisions"]')).toHaveAttribute('aria-pressed', 'true');
  await panel.getByTestId('open-overview').tap();
  await page.waitForURL((url) => url.pathname === '/overview/01');
  await expect(page.getByTestId('scope-name')).toHaveText(hanoi.name);
});

test('offline, the overview keeps its last figures and says so', async ({ page, context }) => {
  await login(page, DEMO.leader);
  const centre = await overviewOf(page);
  // Once the service worker controls the page, a visit saves the figures.
  await page.waitForFunction(async () => {
    await navigator.serviceWorker.ready;
    return navigator.serviceWorker.controller !== null;
  }, null, { timeout: 30_000 });
  await page.reload();
  await expectTiles(page, centre);
  await expect(page.getByTestId('offline-mark')).toHaveCount(0);

  // The link drops: the page says so at once, and keeps its figures.
  await context.setOffline(true);
  await expect(page.getByTestId('offline-chip')).toBeVisible();
  await expect(page.getByTestId('offline-mark')).toBeVisible();
  await expectTiles(page, centre);

  // Even a reload without a network shows the saved figures, with the time they were saved.
  await page.reload();
  await expectTiles(page, centre);
  await expect(page.getByTestId('offline-mark')).toBeVisible();
  await expect(page.getByTestId('saved-at')).toHaveText(/\d{2}:\d{2}/);

  // Back online: the mark goes.
  await context.setOffline(false);
  await page.reload();
  await expectTiles(page, centre);
  await expect(page.getByTestId('offline-mark')).toHaveCount(0);
});
