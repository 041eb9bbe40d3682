import { test, expect, Page } from '@playwright/test';
import { DEMO, login } from './helpers';

/** Cases the server counts for a filter (all cases are opened within these 20 years). */
async function serverCount(page: Page, query = ''): Promise<number> {
  const res = await page.request.get(`/api/v1/summary?from=2010-01-01&to=2029-12-31${query}`);
  expect(res.status()).toBe(200);
  return (await res.json()).current.cases;
}

async function selected(page: Page): Promise<number> {
  return Number(await page.getByTestId('selected-count').getAttribute('data-value'));
}

test('linked charts filter each other on the client and agree with the server', async ({ page }) => {
  await login(page, DEMO.leader);
  await page.getByRole('link', { name: 'Phân tích' }).click();
  await expect(page).toHaveURL(/\/analysis$/);
  const count = page.getByTestId('selected-count');
  await expect(count).toBeVisible({ timeout: 30_000 });
  const all = await serverCount(page);
  await expect(count).toHaveAttribute('data-value', String(all));

  // Toggle the "land" sector (index 0 of Sector::ALL).
  const sectors = page.getByTestId('chart-sector');
  const before = await sectors.locator('.bar-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-count')));
  await sectors.locator('.bar-row[data-value="0"]').click();
  await expect(count).toHaveAttribute('data-value', String(await serverCount(page, '&sector=land')));
  await expect(page.getByTestId('chips')).toContainText('Đất đai');
  // The cross-filter rule: the sector chart keeps its whole shape.
  const after = await sectors.locator('.bar-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-count')));
  expect(after).toEqual(before);
  // Every other chart counts only the land cases: the kinds add up to the selection.
  const kinds = await page.getByTestId('chart-kind').locator('.bar-row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-count'))));
  expect(kinds.reduce((a, b) => a + b, 0)).toBe(await selected(page));

  // Add a kind: complaints among land cases.
  await page.getByTestId('chart-kind').locator('.bar-row[data-value="6"]').click();
  await expect(count).toHaveAttribute('data-value', String(await serverCount(page, '&sector=land&kind=complaint')));

  // Brush a period on the time chart: fewer cases, and a chip says so.
  await page.getByTestId('time-chart').scrollIntoViewIfNeeded();
  const box = (await page.getByTestId('time-chart').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.8, box.y + box.height * 0.5, { steps: 5 });
  await page.mouse.up();
  await expect(page.getByTestId('chips')).toContainText('Thời gian');
  const brushed = await selected(page);
  expect(brushed).toBeLessThan(await serverCount(page, '&sector=land&kind=complaint'));

  // One control resets everything.
  await page.getByRole('button', { name: 'Bỏ tất cả bộ lọc' }).click();
  await expect(count).toHaveAttribute('data-value', String(all));
});

test("a province's analyst gets only its own cases", async ({ page }) => {
  await login(page, DEMO.hanoi);
  await page.goto('/analysis');
  const count = page.getByTestId('selected-count');
  await expect(count).toBeVisible({ timeout: 30_000 });
  await expect(count).toHaveAttribute('data-value', String(await serverCount(page)));
  const national = await page.request.get('/api/v1/summary?unit=VN');
  expect(national.status()).toBe(403);
});

test('the filters live in the URL: a copied link opens the same view and Back undoes a filter', async ({ page, context }) => {
  await login(page, DEMO.leader);
  await page.goto('/analysis');
  const count = page.getByTestId('selected-count');
  await expect(count).toBeVisible({ timeout: 30_000 });
  const all = await selected(page);
  await page.getByTestId('chart-sector').locator('.bar-row[data-value="0"]').click();
  await expect(page).toHaveURL(/\/analysis\?sector=land$/);
  // The status chart counts land cases per status; picking "concluded" selects exactly its bar.
  const concluded = page.getByTestId('chart-status').locator('.bar-row[data-value="2"]');
  const expected = Number(await concluded.getAttribute('data-count'));
  await concluded.click();
  await expect(page).toHaveURL(/\/analysis\?sector=land&status=concluded$/);
  await expect(count).toHaveAttribute('data-value', String(expected));
  const both = await selected(page);
  expect(both).toBeGreaterThan(0);

  // A copied link opens the same view in another tab.
  const other = await context.newPage();
  await other.goto(page.url());
  await expect(other.getByTestId('selected-count')).toHaveAttribute('data-value', String(both), { timeout: 30_000 });
  await expect(other.getByTestId('chips')).toContainText('Đã kết luận');
  await other.close();

  // Back undoes the last filter, then the one before.
  await page.goBack();
  await expect(page).toHaveURL(/\/analysis\?sector=land$/);
  await expect(count).toHaveAttribute('data-value', String(await serverCount(page, '&sector=land')));
  await page.goBack();
  await expect(count).toHaveAttribute('data-value', String(all));
});
