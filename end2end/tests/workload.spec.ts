import { test, expect } from '@playwright/test';
import { DEMO, login } from './helpers';

test.use({ viewport: { width: 1024, height: 768 }, hasTouch: true });

const STATES = ['overdue', 'at_risk', 'on_track', 'done'];

test('a leader opens a province\'s workload on a tablet, sees its tasks and peers as the API gives them, and taps a peer', async ({ page }) => {
  await login(page, DEMO.leader);
  // From a directive at the province, the link to the unit's workload.
  const list = await (await page.request.get('/api/v1/directives')).json();
  await page.goto(`/directives/${list.directives[0].code}?unit=01`);
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
  await page.getByRole('link', { name: /Công việc của đơn vị/ }).tap();
  await page.waitForURL((url) => url.pathname === '/workload/01');

  const w = await (await page.request.get('/api/v1/units/01/workload')).json();
  await expect(page.getByTestId('workload-unit')).toHaveText(w.unit_name);
  const summary = page.getByTestId('workload-summary');
  await expect(page.getByTestId('workload-assigned')).toHaveAttribute('data-value', String(w.counts.assigned));
  for (const state of STATES) {
    await expect(summary.locator(`.workload-state[data-state="${state}"]`)).toHaveAttribute('data-value', String(w.counts[state]));
  }

  // The tasks in the API's order, which is the urgency order: states never go back up the list.
  const rows = page.getByTestId('workload-tasks').locator('.workload-task');
  await expect(rows).toHaveCount(w.tasks.length);
  expect(w.tasks.length).toBeGreaterThan(0);
  const shown = await rows.evaluateAll((els) => els.map((e) => [Number(e.getAttribute('data-id')), e.getAttribute('data-state')]));
  expect(shown).toEqual(w.tasks.map((t: any) => [t.id, t.state]));
  const order = shown.map(([, s]) => STATES.indexOf(s as string));
  expect(order).toEqual([...order].sort((a, b) => a - b));
  await expect(rows.first()).toContainText(w.tasks[0].title);
  for (const row of (await rows.all()).slice(0, 3)) {
    expect((await row.boundingBox())!.height).toBeGreaterThanOrEqual(44);
  }

  // A tap on a state tile keeps only its tasks; a second tap shows them all again.
  const busiest = [...STATES].sort((a, b) => w.counts[b] - w.counts[a])[0];
  const tile = summary.locator(`.workload-state[data-state="${busiest}"]`);
  await tile.tap();
  await expect(tile).toHaveAttribute('aria-pressed', 'true');
  await expect(rows).toHaveCount(w.counts[busiest]);
  await tile.tap();
  await expect(rows).toHaveCount(w.tasks.length);

  // The peers: the provinces ranked, Hà Nội marked.
  const peers = page.getByTestId('workload-peers').locator('.peer-row');
  await expect(peers).toHaveCount(34);
  const codes = await peers.evaluateAll((els) => els.map((e) => [e.getAttribute('data-unit'), e.getAttribute('data-rank')]));
  expect(codes).toEqual(w.peers.map((p: any) => [p.unit, p.rank === null ? '' : String(p.rank)]));
  await expect(page.locator('.peer-row.this-unit')).toHaveAttribute('data-unit', '01');
  await expect(page.locator('.peer-row[aria-current="page"]')).toHaveCount(1);

  // A tap on a peer opens its workload.
  const other = w.peers.find((p: any) => !p.this_unit);
  await page.locator(`.peer-row[data-unit="${other.unit}"]`).tap();
  await page.waitForURL((url) => url.pathname === `/workload/${other.unit}`);
  await expect(page.getByTestId('workload-unit')).toHaveText(other.name);
  const theirs = await (await page.request.get(`/api/v1/units/${other.unit}/workload`)).json();
  await expect(page.getByTestId('workload-assigned')).toHaveAttribute('data-value', String(other.tasks.assigned));
  await expect(rows).toHaveCount(theirs.tasks.length);
  await expect(page.locator('.peer-row.this-unit')).toHaveAttribute('data-unit', other.unit);
});

test('a province\'s user sees its own workload and is told that other provinces are outside its scope', async ({ page }) => {
  await login(page, DEMO.hanoi);
  await page.goto('/workload/01');
  await expect(page.getByTestId('peers-outside-scope')).toBeVisible();
  await expect(page.locator('.peer-row')).toHaveCount(0);
  const w = await (await page.request.get('/api/v1/units/01/workload')).json();
  expect(w.peers_outside_scope).toBe(true);
  await expect(page.getByTestId('workload-tasks').locator('.workload-task')).toHaveCount(w.tasks.length);
  expect((await page.request.get('/api/v1/units/79/workload')).status()).toBe(403);
});
