import { test, expect } from '@playwright/test';
import { DEMO, csrf, login, vi } from './helpers';
import * as fs from 'fs';

test.use({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });

/** The quarter that closed last, as the API writes it (2026-Q3). */
function lastClosedQuarter(): string {
  const d = new Date();
  let q = Math.floor(d.getMonth() / 3); // this quarter's number - 1, so the one before
  let y = d.getFullYear();
  if (q === 0) { q = 4; y -= 1; }
  return `${y}-Q${q}`;
}

test('a leader makes a province\'s quarterly report, sees the API\'s figures and downloads its PDF and XLSX', async ({ page }) => {
  await login(page, DEMO.leader);
  await page.getByTestId('nav-reports').click();
  await page.waitForURL((url) => url.pathname === '/reports');
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });

  // Choose Hà Nội and the last closed quarter.
  const period = lastClosedQuarter();
  await expect(page.getByTestId('rp-unit').locator('option[value="01"]')).toHaveCount(1);
  await page.getByTestId('rp-unit').selectOption('01');
  await page.getByTestId('rp-cadence').selectOption('quarter');
  await page.getByTestId('rp-period').selectOption(period);
  const doc = page.getByTestId('rp-report');
  await expect(doc).toHaveAttribute('data-unit', '01');
  await expect(doc).toHaveAttribute('data-period', period);
  await expect(page).toHaveURL(new RegExp(`unit=01&period=${period}`));

  // The figures are the API's: the report's own and the summary's for the same days.
  const report = await (await page.request.get(`/api/v1/reports/preview?unit=01&period=${period}`)).json();
  const summary = await (await page.request.get(`/api/v1/summary?unit=01&from=${report.from}&to=${report.to}`)).json();
  expect(report.headline.inspections.current).toBe(summary.current.inspections);
  expect(report.headline.violations.current).toBe(summary.current.violations);
  for (const [id, key] of [
    ['inspections', 'inspections'], ['supervisions', 'supervisions'], ['violations', 'violations'],
    ['disciplines-organizations', 'disciplines_organizations'], ['disciplines-members', 'disciplines_members'],
    ['settled-on-time', 'settled_on_time'],
  ]) {
    const tile = page.getByTestId(`rp-tile-${id}`);
    await expect(tile).toHaveAttribute('data-value', String(report.headline[key].current));
    await expect(tile.locator('.rp-tile-value')).toHaveText(vi(report.headline[key].current));
  }
  // Vietnamese by default, with its diacritics; the same tables as the files.
  await expect(doc.locator('.rp-title')).toHaveText('Báo cáo công tác kiểm tra, giám sát và thi hành kỷ luật');
  const headline = page.getByTestId('rp-table-headline');
  await expect(headline.locator('tbody tr').first()).toContainText(vi(summary.current.cases));
  await expect(page.getByTestId('rp-table-by_month').locator('tbody tr')).toHaveCount(3);
  await expect(page.getByTestId('rp-table-by_child').locator('tbody tr')).toHaveCount(report.by_child.length);
  await expect(page.getByTestId('rp-chart-month').locator('rect.now')).toHaveCount(3);

  // The files: a PDF and an XLSX with good names and the right magic bytes.
  for (const [button, name, magic] of [
    ['rp-pdf', `bao-cao-01-${period}.pdf`, '%PDF-'],
    ['rp-xlsx', `bao-cao-01-${period}.xlsx`, 'PK'],
  ]) {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId(button).click(),
    ]);
    expect(download.suggestedFilename()).toBe(name);
    const path = await download.path();
    const bytes = fs.readFileSync(path!);
    expect(bytes.length).toBeGreaterThan(1000);
    expect(bytes.subarray(0, magic.length).toString('latin1')).toBe(magic);
  }

  // Keep it: it is listed with its files.
  await page.getByTestId('rp-keep').click();
  const kept = page.getByTestId('rp-kept').getByTestId('rp-kept-row');
  await expect(kept.first()).toBeVisible();
  await expect(kept.first()).toContainText('Quý');

  // A leader schedules the province's quarterly report, sees the schedule, and deletes it.
  const schedules = page.getByTestId('rp-schedules').getByTestId('rp-schedule');
  // (A schedule left by an earlier run on the same server would make adding it a no-op.)
  for (const s of await (await page.request.get('/api/v1/reports/schedules')).json()) {
    if (s.unit === '01' && s.cadence === 'quarter' && s.lang === 'vi') {
      expect((await page.request.delete(`/api/v1/reports/schedules/${s.id}`, { headers: await csrf(page) })).status()).toBe(204);
      await page.reload();
      await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
    }
  }
  await expect(page.getByTestId('rp-schedules')).toBeVisible();
  await page.getByTestId('rp-schedule-cadence').selectOption('quarter');
  await page.getByTestId('rp-schedule-add').click();
  await expect.poll(async () => {
    const listed = await (await page.request.get('/api/v1/reports/schedules')).json();
    return listed.find((s: any) => s.unit === '01' && s.cadence === 'quarter' && s.lang === 'vi')?.id ?? null;
  }).not.toBeNull();
  const listed = await (await page.request.get('/api/v1/reports/schedules')).json();
  const mine = listed.find((s: any) => s.unit === '01' && s.cadence === 'quarter' && s.lang === 'vi');
  const row = schedules.and(page.locator(`[data-id="${mine.id}"]`));
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('Quý');
  await row.getByTestId('rp-schedule-delete').click();
  await expect(row).toHaveCount(0);
});

test('the reports link is not offered to a data officer, and the print stylesheet keeps the report alone', async ({ page }) => {
  await login(page, DEMO.dataOfficer);
  // The shell knows who is logged in before it decides which links to offer.
  await expect(page.getByTestId('user')).toBeVisible();
  await expect(page.getByTestId('nav-alerts')).toBeVisible();
  await expect(page.getByTestId('nav-reports')).toHaveCount(0);
  const res = await page.request.get(`/api/v1/reports/preview?period=${lastClosedQuarter()}`);
  expect(res.status()).toBe(403);

  expect((await page.request.post('/api/v1/auth/logout', { headers: await csrf(page) })).status()).toBe(204);
  await login(page, DEMO.hanoi);
  await page.goto(`/reports?unit=01&period=${lastClosedQuarter()}`);
  await expect(page.getByTestId('rp-report')).toBeVisible();
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('.topbar')).toBeHidden();
  await expect(page.getByTestId('rp-pdf')).toBeHidden();
  await expect(page.getByTestId('rp-report')).toBeVisible();
});
