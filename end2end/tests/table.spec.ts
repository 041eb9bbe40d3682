import { test, expect, Page, Locator } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { DEMO, login } from './helpers';

/** Cases the server counts for a filter (all cases are opened within these 20 years). */
async function serverCount(page: Page, query = ''): Promise<number> {
  const res = await page.request.get(`/api/v1/summary?from=2010-01-01&to=2029-12-31${query}`);
  expect(res.status()).toBe(200);
  return (await res.json()).current.cases;
}

async function value(l: Locator): Promise<number> {
  return Number(await l.getAttribute('data-value'));
}

/** Logs in as the leader and opens the analyst workspace with its case table loaded. */
async function openTable(page: Page): Promise<Locator> {
  await login(page, DEMO.leader);
  await page.goto('/analysis');
  const count = page.getByTestId('table-count');
  await expect(count).toHaveAttribute('data-value', /^\d+$/, { timeout: 30_000 });
  return count;
}

/** RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks; lines end in CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; }
    else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/** The entries of a ZIP of stored (uncompressed) entries, read through its central directory. */
function unzipStored(b: Buffer): Map<string, Buffer> {
  const end = b.length - 22;
  expect(b.readUInt32LE(end)).toBe(0x06054b50);
  const count = b.readUInt16LE(end + 10);
  let at = b.readUInt32LE(end + 16);
  const out = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    expect(b.readUInt32LE(at)).toBe(0x02014b50);
    expect(b.readUInt16LE(at + 10)).toBe(0); // stored
    const size = b.readUInt32LE(at + 20);
    const nameLen = b.readUInt16LE(at + 28);
    const skip = b.readUInt16LE(at + 30) + b.readUInt16LE(at + 32);
    const local = b.readUInt32LE(at + 42);
    const name = b.toString('utf8', at + 46, at + 46 + nameLen);
    at += 46 + nameLen + skip;
    expect(b.readUInt32LE(local)).toBe(0x04034b50);
    const start = local + 30 + b.readUInt16LE(local + 26) + b.readUInt16LE(local + 28);
    out.set(name, b.subarray(start, start + size));
  }
  return out;
}

async function download(page: Page, testId: string): Promise<{ name: string; bytes: Buffer }> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  const path = await dl.path();
  return { name: dl.suggestedFilename(), bytes: readFileSync(path!) };
}

test('the table counts the selected cases, agrees with the server and follows the charts', async ({ page }) => {
  const count = await openTable(page);
  const all = await serverCount(page);
  await expect(count).toHaveAttribute('data-value', String(all));
  await expect(page.getByTestId('selected-count')).toHaveAttribute('data-value', String(all));
  await expect(count).toContainText(' hồ sơ');

  // Toggle the "land" sector: the table shows the land cases only.
  await page.getByTestId('chart-sector').locator('.bar-row[data-value="0"]').click();
  const land = await serverCount(page, '&sector=land');
  await expect(count).toHaveAttribute('data-value', String(land));
  await expect(page.getByTestId('selected-count')).toHaveAttribute('data-value', String(land));
  const table = page.getByTestId('case-table');
  await expect(table.locator('.case-row').first().locator('.c-sector')).toHaveText('Đất đai');

  // Toggle it off again: every case is back.
  await page.getByTestId('chart-sector').locator('.bar-row[data-value="0"]').click();
  await expect(count).toHaveAttribute('data-value', String(all));
});

test('sorting by amount, descending, puts the largest amount first', async ({ page }) => {
  await openTable(page);
  const table = page.getByTestId('case-table');
  const header = table.locator('[role="columnheader"][data-column="amount"]');
  await expect(header).toHaveAttribute('aria-sort', 'none');
  await header.getByRole('button').click();
  await expect(header).toHaveAttribute('aria-sort', 'ascending');
  // The keyboard works too: Enter on the focused header toggles the direction.
  await header.getByRole('button').press('Enter');
  await expect(header).toHaveAttribute('aria-sort', 'descending');
  await expect(table.locator('[role="columnheader"][data-column="opened"]')).toHaveAttribute('aria-sort', 'none');

  const shown = () => table.locator('.case-row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-amount'))));
  // The rows shown go from the largest amount down.
  await expect.poll(async () => {
    const a = await shown();
    return a.length > 5 && a[0] > a[a.length - 1] && a.every((x, i) => i === 0 || x <= a[i - 1]);
  }).toBe(true);
  const amounts = await shown();

  // The export holds every selected case in the same order: its first row is the largest amount.
  const csv = parseCsv((await download(page, 'export-csv')).bytes.toString('utf8').replace(/^\uFEFF/, ''));
  const money = csv.slice(1).map((r) => Number(r[10]));
  expect(Math.max(...money)).toBe(amounts[0] * 1_000_000);
  expect(money[0]).toBe(amounts[0] * 1_000_000);
  const firstId = await table.locator('.case-row').first().getAttribute('data-row-id');
  expect(csv[1][0]).toBe(firstId);
});

test('only the rows in view are in the page, and scrolling reaches the last one', async ({ page }) => {
  const count = await openTable(page);
  const n = await value(count);
  expect(n).toBeGreaterThan(200);
  const table = page.getByTestId('case-table');
  const inDom = () => table.locator('.case-row').count();
  expect(await inDom()).toBeLessThan(100);

  const scroller = table.locator('.case-scroll');
  await scroller.scrollIntoViewIfNeeded();
  await scroller.evaluate((el) => { el.scrollTop = el.scrollHeight; });
  // Wholly visible, at the bottom of the scroll box (and not hidden under the sticky header).
  const last = table.locator(`.case-row[aria-rowindex="${n + 1}"]`);
  await expect(last).toBeInViewport({ ratio: 0.95 });
  const [rowBox, boxBox] = [(await last.boundingBox())!, (await scroller.boundingBox())!];
  expect(Math.abs(rowBox.y + rowBox.height - (boxBox.y + boxBox.height))).toBeLessThan(24);
  expect(await inDom()).toBeLessThan(100);
  // The newest cases come first, so the last row is among the oldest.
  await expect(table.locator(`.case-row[aria-rowindex="2"]`)).toHaveCount(0);

  // Halfway down, the rows shown are the ones at that position.
  await scroller.evaluate((el) => { el.scrollTop = el.scrollHeight / 2; });
  const middle = Math.round(n / 2);
  const shown = async () => {
    const indexes = await table.locator('.case-row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('aria-rowindex'))));
    return [Math.min(...indexes), Math.max(...indexes)];
  };
  await expect.poll(async () => {
    const [first, last] = await shown();
    return first < middle && middle < last;
  }).toBe(true);
  expect(await inDom()).toBeLessThan(100);
});

test('CSV and Excel downloads hold exactly the filtered cases', async ({ page }) => {
  const count = await openTable(page);
  await page.getByTestId('chart-sector').locator('.bar-row[data-value="0"]').click();
  const land = await serverCount(page, '&sector=land');
  await expect(count).toHaveAttribute('data-value', String(land));

  const csvFile = await download(page, 'export-csv');
  expect(csvFile.name).toMatch(/^ho-so-\d{4}-\d{2}-\d{2}\.csv$/);
  const text = csvFile.bytes.toString('utf8');
  expect(text.startsWith('\uFEFF')).toBe(true);
  const csv = parseCsv(text.slice(1));
  expect(csv[0][0]).toBe('Mã hồ sơ');
  expect(csv[0]).toHaveLength(11);
  expect(csv.length - 1).toBe(land);
  expect(new Set(csv.slice(1).map((r) => r[5]))).toEqual(new Set(['Đất đai']));
  expect(csv.slice(1).every((r) => r.length === 11 && /^\d{4}-\d{2}-\d{2}$/.test(r[1]))).toBe(true);
  expect(new Set(csv.slice(1).map((r) => r[0])).size).toBe(land);

  const xlsx = await download(page, 'export-xlsx');
  expect(xlsx.name).toMatch(/^ho-so-\d{4}-\d{2}-\d{2}\.xlsx$/);
  expect(xlsx.bytes.subarray(0, 2).toString('latin1')).toBe('PK');
  const parts = unzipStored(xlsx.bytes);
  expect([...parts.keys()]).toContain('xl/workbook.xml');
  const sheet = parts.get('xl/worksheets/sheet1.xml')!.toString('utf8');
  expect(sheet.match(/<row /g)!.length).toBe(land + 1);
  expect(sheet).toContain('<t>Mã hồ sơ</t>');
  expect(sheet).toContain('<t>Đất đai</t>');
  // The rows are the CSV's, in the same order.
  const ids = [...sheet.matchAll(/<c r="A(\d+)"><v>(\d+)<\/v><\/c>/g)].map((m) => m[2]);
  expect(ids).toEqual(csv.slice(1).map((r) => r[0]));
});

test('the table speaks English when the interface does', async ({ page, context }) => {
  await context.addCookies([{ name: 'lang', value: 'en', url: process.env.BASE_URL ?? 'http://127.0.0.1:3000' }]);
  const count = await openTable(page);
  await expect(count).toContainText(' cases');
  const table = page.getByTestId('case-table');
  await expect(table.getByRole('button', { name: 'Export CSV' })).toBeVisible();
  await expect(table.locator('[data-column="opened"]')).toHaveText(/Opened/);
  const csvFile = await download(page, 'export-csv');
  expect(csvFile.name).toMatch(/^cases-\d{4}-\d{2}-\d{2}\.csv$/);
  expect(parseCsv(csvFile.bytes.toString('utf8').slice(1))[0][0]).toBe('Case ID');
});

test('a tap on a row opens the case history as the API gives it', async ({ page }) => {
  await openTable(page);
  const row = page.locator('.case-row').first();
  const id = await row.getAttribute('data-row-id');
  expect(Number(id)).toBeGreaterThan(0);
  await row.click();
  const panel = page.getByTestId('case-history');
  await expect(panel).toBeVisible();
  await expect(panel.getByRole('heading')).toHaveText(`Lịch sử hồ sơ · ${id}`);
  const history = await (await page.request.get(`/api/v1/cases/${id}/history`)).json();
  await expect(panel).toContainText(history.external_id);
  await expect(panel.locator('.history-version')).toHaveCount(history.versions.length);
  const last = history.versions[history.versions.length - 1];
  const current = panel.locator('.history-version.current');
  await expect(current).toContainText(`Phiên bản ${last.version}`);
  await expect(current).toContainText(last.written_by);
  await expect(current).toContainText('Trạng thái (status)');
  await panel.getByRole('button', { name: 'Đóng' }).click();
  await expect(panel).toHaveCount(0);
});
