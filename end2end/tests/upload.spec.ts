import { test, expect, Page } from '@playwright/test';
import { DEMO, login } from './helpers';

const SOURCE = 'HT-UBKT-01';
const HEADER = 'source,external_id,kind,conducting_unit,subject.type,subject.unit,sector,status,opened_on,concluded_on';

/** The registry of sources, through the navigation's "more" menu. */
async function openSources(page: Page) {
  await page.getByTestId('nav-more').locator('summary').click();
  await page.getByRole('link', { name: 'Nguồn dữ liệu' }).click();
}

test('a data officer previews, checks and writes a CSV batch of cases', async ({ page }) => {
  await login(page, DEMO.dataOfficer);

  // A commune of Hà Nội for the subjects, and ids no other run has used.
  const units = await (await page.request.get('/api/v1/units?level=commune&parent=01')).json();
  const commune: string = (Array.isArray(units) ? units : units.units)[0].code;
  const stamp = Date.now().toString(36);
  const id = (n: number) => `e2e-upload-${stamp}-${n}`;
  const csv = [
    HEADER,
    `${SOURCE},${id(1)},inspection_duty,01,organization,${commune},land,in_progress,2026-03-01,`,
    `${SOURCE},${id(2)},complaint,01,member,${commune},health,planned,2026-03-02,`,
    `${SOURCE},${id(3)},supervision_regular,01,organization,${commune},education,concluded,2026-02-01,2026-03-15`,
    `${SOURCE},${id(4)},inspection_duty,01,organization,${commune},astrology,in_progress,2026-03-01,`,
    `${SOURCE},${id(5)},inspection_duty,01,organization,${commune},land,concluded,2026-05-01,2026-04-01`,
  ].join('\r\n') + '\r\n';

  const casesBefore = (await (await page.request.get('/api/v1/summary?from=2010-01-01&to=2029-12-31')).json()).current.cases;

  // What the overview and the registry show before: this year's tiles, and the source's row.
  await page.goto('/');
  const tile = (id: string) => page.getByTestId(id);
  await expect(tile('kpi-inspections')).toHaveAttribute('data-value', /\d+/);
  const tiles = ['kpi-inspections', 'kpi-supervisions', 'kpi-settlements'];
  const tilesBefore = await Promise.all(tiles.map(async (id) => Number(await tile(id).getAttribute('data-value'))));
  await openSources(page);
  await page.waitForURL((url) => url.pathname === '/sources');
  const row = page.locator(`tr.source-row[data-code="${SOURCE}"]`);
  await expect(row).toBeVisible();
  const before = {
    rows30: Number(await row.getAttribute('data-rows-30d')),
    accepted: Number(await row.getAttribute('data-accepted')),
    rejected: Number(await row.getAttribute('data-rejected')),
  };

  // Reached from the navigation, which shows the link to data officers.
  await page.getByRole('link', { name: 'Nạp dữ liệu' }).click();
  await page.waitForURL((url) => url.pathname === '/upload');
  await expect(page.getByRole('heading', { name: 'Nạp dữ liệu vụ việc' })).toBeVisible();

  await page.getByTestId('upload-input').setInputFiles({ name: 'vu-viec.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(page.getByTestId('upload-file')).toContainText('vu-viec.csv');
  await expect(page.getByTestId('upload-file')).toContainText('CSV');

  // The preview: the header and the five rows.
  const preview = page.getByTestId('upload-preview');
  await expect(preview.locator('th').first()).toHaveText('source');
  await expect(preview.locator('tbody tr')).toHaveCount(5);
  await expect(preview.locator('tbody')).toContainText(id(4));

  // The check: three would be accepted, two refused with their fields named.
  await expect(page.getByTestId('check-accepted')).toHaveAttribute('data-value', '3');
  await expect(page.getByTestId('check-rejected')).toHaveAttribute('data-value', '2');
  const errors = page.getByTestId('upload-errors');
  await expect(errors).toContainText('sector');
  await expect(errors).toContainText('concluded_on');

  // Nothing was written by the check.
  for (const n of [1, 2, 3]) {
    const res = await page.request.get(`/api/v1/cases?source=${SOURCE}&external_id=${id(n)}`);
    expect(res.status()).toBe(200);
    expect((await res.json()).total).toBe(0);
  }

  const commit = page.getByTestId('upload-commit');
  await expect(commit).toBeEnabled();
  await commit.click();
  await expect(page.getByTestId('result-accepted')).toHaveAttribute('data-value', '3');
  await expect(page.getByTestId('result-rejected')).toHaveAttribute('data-value', '2');
  await expect(page.getByTestId('result-batch')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Về trang tổng quan' })).toBeVisible();

  for (const n of [1, 2, 3]) {
    const res = await page.request.get(`/api/v1/cases?source=${SOURCE}&external_id=${id(n)}`);
    expect((await res.json()).total).toBe(1);
  }
  for (const n of [4, 5]) {
    const res = await page.request.get(`/api/v1/cases?source=${SOURCE}&external_id=${id(n)}`);
    expect((await res.json()).total).toBe(0);
  }
  const casesAfter = (await (await page.request.get('/api/v1/summary?from=2010-01-01&to=2029-12-31')).json()).current.cases;
  expect(casesAfter).toBe(casesBefore + 3);

  // The good rows are in the overview: one more inspection, supervision and complaint this year.
  await page.getByRole('link', { name: 'Về trang tổng quan' }).click();
  await page.waitForURL((url) => url.pathname === '/');
  for (const [i, id] of tiles.entries()) {
    await expect(tile(id)).toHaveAttribute('data-value', String(tilesBefore[i] + 1));
  }

  // The source's state is updated: it has just sent, live, with 3 more rows accepted and 2 refused.
  await openSources(page);
  await page.waitForURL((url) => url.pathname === '/sources');
  await expect(row).toHaveAttribute('data-state', 'live');
  await expect(row.getByTestId('last-arrival')).toContainText('vừa xong');
  await expect(row).toHaveAttribute('data-rows-30d', String(before.rows30 + 3));
  await expect(row).toHaveAttribute('data-accepted', String(before.accepted + 3));
  await expect(row).toHaveAttribute('data-rejected', String(before.rejected + 2));
  // A tap explains its validity with those counts.
  await row.click();
  const vi = (n: number) => n.toLocaleString('de-DE');
  await expect(page.locator('.source-detail')).toContainText(
    `${vi(before.accepted + 3)} / ${vi(before.accepted + before.rejected + 5)} dòng gửi đến được chấp nhận`);
});
