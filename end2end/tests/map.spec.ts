import { test, expect, Page, Locator } from '@playwright/test';
import { DEMO, login, vi } from './helpers';

/** The cases the server finds for a query of `GET /cases` (its `total`). */
async function serverTotal(page: Page, query: string): Promise<number> {
  const res = await page.request.get(`/api/v1/cases?per_page=1&${query}`);
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()).total;
}

async function selected(page: Page): Promise<number> {
  return Number(await page.getByTestId('selected-count').getAttribute('data-value'));
}

/** The sum of a chart's bars (each chart counts the selection, but for its own filter). */
async function chartSum(page: Page, chart: string): Promise<number> {
  const counts = await page
    .getByTestId(`chart-${chart}`)
    .locator('.bar-row')
    .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-count'))));
  return counts.reduce((a, b) => a + b, 0);
}

/** Opens the analysis page and waits for the map and the facts. */
async function open(page: Page, path = '/analysis'): Promise<Locator> {
  await login(page, DEMO.leader);
  await page.goto(path);
  await expect(page.getByTestId('selected-count')).toBeVisible({ timeout: 30_000 });
  const map = page.getByTestId('map');
  await expect(map).toHaveAttribute('data-map-ready', 'true', { timeout: 30_000 });
  return map;
}

/** The page position of a place on the map. */
async function at(page: Page, map: Locator, lon: number, lat: number): Promise<[number, number]> {
  const p = await page.evaluate(([lon, lat]) => (window as any).oversightMap.project([lon, lat]), [lon, lat]);
  const box = (await map.boundingBox())!;
  return [box.x + p.x, box.y + p.y];
}

/** Waits until the map has finished moving (it eases when the view changes). */
async function settled(page: Page) {
  await page.waitForFunction(() => {
    const m = (window as any).oversightMap;
    return m && !m.isMoving() && m.loaded();
  });
}

/** Every view agrees with the selection count: the charts, the map's points and the table. */
async function agree(page: Page, expected: number, points = true) {
  await expect(page.getByTestId('selected-count')).toHaveAttribute('data-value', String(expected));
  expect(await chartSum(page, 'kind')).toBe(expected);
  expect(await chartSum(page, 'status')).toBe(expected);
  // Points are drawn once the view is narrowed to a province or a drawn area.
  if (points) await expect(page.getByTestId('map')).toHaveAttribute('data-points', String(expected));
  const table = page.getByTestId('table-count');
  if ((await table.count()) > 0) {
    await expect(table).toHaveAttribute('data-value', String(expected));
  }
}

test('tapping a province drills into its communes; the breadcrumb goes back', async ({ page }) => {
  const map = await open(page);
  const all = await selected(page);
  await settled(page);
  const [x, y] = await at(page, map, 105.85, 21.03);
  await page.mouse.click(x, y);
  await expect(page).toHaveURL(/\/analysis\?province=01$/);
  await expect(map).toHaveAttribute('data-level', 'commune');
  const hanoi = await serverTotal(page, 'unit=01');
  expect(hanoi).toBeGreaterThan(0);
  await agree(page, hanoi);
  await expect(page.getByTestId('breadcrumb')).toContainText('Hà Nội');
  await expect(page.getByTestId('chip-area')).toContainText('Hà Nội');

  // Hovering a commune shows its figures.
  await settled(page);
  const centre = await at(page, map, 105.85, 21.03);
  await page.mouse.move(centre[0] + 2, centre[1] + 2);
  await expect(page.getByTestId('map-tooltip')).toBeVisible();
  await expect(page.getByTestId('map-tooltip')).toContainText('Vụ việc');

  // Tapping a commune selects it: the counts are that commune's.
  await page.mouse.click(centre[0], centre[1]);
  await expect(page).toHaveURL(/province=01&commune=\d{5}$/);
  const commune = new URL(page.url()).searchParams.get('commune')!;
  await agree(page, await serverTotal(page, `unit=${commune}`));
  await expect(page.getByTestId('map-focus')).toBeVisible();

  // The breadcrumb goes back up, level by level.
  await page.getByTestId('breadcrumb').getByRole('button', { name: /Hà Nội/ }).click();
  await expect(page).toHaveURL(/\/analysis\?province=01$/);
  await page.getByTestId('breadcrumb').getByRole('button', { name: 'Cả nước' }).click();
  await expect(page).toHaveURL(/\/analysis$/);
  await expect(map).toHaveAttribute('data-level', 'province');
  await expect(page.getByTestId('selected-count')).toHaveAttribute('data-value', String(all));
});

test('a province picked from the searchable list, typed without accents', async ({ page }) => {
  const map = await open(page);
  const picker = page.getByTestId('picker').getByRole('combobox');
  await picker.fill('ho chi minh');
  await expect(page.getByTestId('picker').getByRole('option').first()).toContainText('Hồ Chí Minh');
  await picker.press('Enter');
  await expect(page).toHaveURL(/\/analysis\?province=79$/);
  await expect(map).toHaveAttribute('data-focus', '79');
  await agree(page, await serverTotal(page, 'unit=79'));
  // With a sector on top, still the server's count.
  await page.getByTestId('chart-sector').locator('.bar-row[data-value="0"]').click();
  await expect(page).toHaveURL(/province=79/);
  await expect(page).toHaveURL(/sector=land/);
  await agree(page, await serverTotal(page, 'unit=79&sector=land'));
});

test('a radius drawn by dragging selects the cases within it, its km shown', async ({ page }) => {
  const map = await open(page, '/analysis?province=01');
  await expect(map).toHaveAttribute('data-level', 'commune');
  await settled(page);
  await page.getByTestId('tool-radius').click();
  const [x, y] = await at(page, map, 105.85, 21.03);
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + 70, y + 10, { steps: 8 });
  await expect(page.getByTestId('drawing-km')).toContainText('km');
  await page.mouse.up();
  await expect(page).toHaveURL(/radius=/);
  const radius = new URL(page.url()).searchParams.get('radius')!;
  const km = Number(radius.split(',')[2]);
  expect(km).toBeGreaterThan(1);
  await expect(page.getByTestId('chip-space')).toContainText('km');
  await expect(page.getByTestId('radius-km')).toHaveValue(String(km));
  const inside = await serverTotal(page, `unit=01&near=${radius}`);
  expect(inside).toBeGreaterThan(0);
  await agree(page, inside);

  // The km can be typed: a larger circle selects more.
  await page.getByTestId('radius-km').fill(String(km * 2));
  await page.getByTestId('radius-km').press('Enter');
  await expect(page).toHaveURL(new RegExp(`radius=[0-9.]+,[0-9.]+,${km * 2}`));
  const wider = await serverTotal(page, `unit=01&near=${new URL(page.url()).searchParams.get('radius')}`);
  expect(wider).toBeGreaterThanOrEqual(inside);
  await agree(page, wider);

  // Cleared, the province's count comes back.
  await page.getByTestId('clear-space').click();
  await agree(page, await serverTotal(page, 'unit=01'));
});

test('a lasso drawn by hand selects the cases inside it', async ({ page }) => {
  const map = await open(page);
  await settled(page);
  await page.getByTestId('tool-lasso').click();
  // A loop around the Red River delta.
  const [cx, cy] = await at(page, map, 105.9, 20.9);
  await page.mouse.move(cx - 40, cy - 40);
  await page.mouse.down();
  for (const [dx, dy] of [[40, -40], [40, 0], [40, 40], [0, 40], [-40, 40], [-40, 0], [-40, -40]]) {
    await page.mouse.move(cx + dx, cy + dy, { steps: 4 });
  }
  await page.mouse.up();
  await expect(page).toHaveURL(/lasso=/);
  const lasso = new URL(page.url()).searchParams.get('lasso')!;
  expect(lasso.split(';').length).toBeGreaterThanOrEqual(3);
  const inside = await serverTotal(page, `polygon=${encodeURIComponent(lasso)}`);
  expect(inside).toBeGreaterThan(0);
  await agree(page, inside);
  await expect(page.getByTestId('chip-space')).toContainText('Vẽ vùng');
  // Back undoes the drawing.
  await page.goBack();
  await expect(page).toHaveURL(/\/analysis$/);
});

test('the keyboard draws too: Enter places a radius or lasso vertices at the centre', async ({ page }) => {
  const map = await open(page, '/analysis?province=01');
  await settled(page);
  await page.getByTestId('tool-radius').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('tool-radius')).toHaveAttribute('aria-pressed', 'true');
  await page.locator('.maplibregl-canvas').focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/radius=/);
  const radius = new URL(page.url()).searchParams.get('radius')!;
  await agree(page, await serverTotal(page, `unit=01&near=${radius}`));

  // A lasso of three vertices, moving the map with the arrow keys between them.
  await page.getByTestId('tool-lasso').click();
  await page.locator('.maplibregl-canvas').focus();
  await page.keyboard.press('Enter');
  for (const key of ['ArrowRight', 'ArrowDown']) {
    for (let i = 0; i < 4; i++) await page.keyboard.press(key);
    await settled(page);
    await page.keyboard.press('Enter');
  }
  await page.getByRole('button', { name: 'Khép vùng' }).click();
  await expect(page).toHaveURL(/lasso=/);
  const lasso = new URL(page.url()).searchParams.get('lasso')!;
  expect(lasso.split(';').length).toBe(3);
  await agree(page, await serverTotal(page, `unit=01&polygon=${encodeURIComponent(lasso)}`));
  await expect(map).toHaveAttribute('data-level', 'commune');
});

test('the metric switch recolours the map and relabels the legend', async ({ page }) => {
  await open(page);
  await expect(page.getByTestId('legend')).toContainText('Vụ việc');
  await page.getByTestId('metric').locator('[data-metric="rate"]').click();
  await expect(page).toHaveURL(/metric=rate/);
  await expect(page.getByTestId('legend')).toContainText('Tỷ lệ có vi phạm');
  await expect(page.getByTestId('legend')).toContainText('%');
  await page.getByTestId('metric').locator('[data-metric="amount"]').click();
  await expect(page.getByTestId('legend')).toContainText('đ');
});

test('a brushed period and a sector agree with the server, in the charts, the table and the map\'s figures', async ({ page }) => {
  const map = await open(page);
  await page.getByTestId('chart-sector').locator('.bar-row[data-value="0"]').click();
  await expect(page).toHaveURL(/sector=land/);
  await agree(page, await serverTotal(page, 'sector=land'), false);
  const chart = page.getByTestId('time-chart');
  await chart.scrollIntoViewIfNeeded();
  const box = (await chart.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.5, { steps: 5 });
  await page.mouse.up();
  await expect(page).toHaveURL(/from=\d{4}-\d{2}&to=\d{4}-\d{2}/);
  const url = new URL(page.url());
  const from = `${url.searchParams.get('from')}-01`;
  const [y, m] = url.searchParams.get('to')!.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const to = `${url.searchParams.get('to')}-${String(last).padStart(2, '0')}`;
  const expected = await serverTotal(page, `sector=land&from=${from}&to=${to}`);
  await agree(page, expected, false);
  // Hovering a province shows its figures under the same filters: Hà Nội's cases are the server's.
  await settled(page);
  const [hx, hy] = await at(page, map, 105.85, 21.03);
  await page.mouse.move(hx, hy);
  const tip = page.getByTestId('map-tooltip');
  await expect(tip).toContainText('Hà Nội');
  const hanoi = await serverTotal(page, `unit=01&sector=land&from=${from}&to=${to}`);
  await expect(tip.locator('dd').first()).toHaveText(vi(hanoi));
  await expect(map).toHaveAttribute('data-level', 'province');
});

test('a finger draws a radius on a tablet', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, hasTouch: true, isMobile: false });
  const page = await context.newPage();
  const map = await open(page, '/analysis?province=01');
  await settled(page);
  await page.getByTestId('tool-radius').tap();
  const [x, y] = await at(page, map, 105.85, 21.03);
  const cdp = await context.newCDPSession(page);
  const touch = (type: string, points: { x: number; y: number }[]) =>
    cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points });
  await touch('touchStart', [{ x, y }]);
  for (let i = 1; i <= 8; i++) await touch('touchMove', [{ x: x + i * 8, y }]);
  await touch('touchEnd', []);
  await expect(page).toHaveURL(/radius=/);
  const radius = new URL(page.url()).searchParams.get('radius')!;
  expect(Number(radius.split(',')[2])).toBeGreaterThan(1);
  await agree(page, await serverTotal(page, `unit=01&near=${radius}`));
  await context.close();
});

test('the keyboard brushes months on the time chart', async ({ page }) => {
  await open(page);
  const chart = page.getByTestId('time-chart');
  await chart.focus();
  await page.keyboard.press('ArrowLeft');
  await expect(page).toHaveURL(/from=(\d{4}-\d{2})&to=\1$/);
  const last = new URL(page.url()).searchParams.get('to')!;
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Home');
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('Shift+ArrowRight');
  await expect(page).toHaveURL(/from=\d{4}-\d{2}&to=\d{4}-\d{2}$/);
  const url = new URL(page.url());
  const from = url.searchParams.get('from')!;
  const to = url.searchParams.get('to')!;
  expect(from < to && to < last).toBe(true);
  const [y, m] = to.split('-').map(Number);
  const end = `${to}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
  await agree(page, await serverTotal(page, `from=${from}-01&to=${end}`), false);
  await page.keyboard.press('Escape');
  await expect(page).toHaveURL(/\/analysis$/);
});
