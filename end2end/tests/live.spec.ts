import { test, expect, request } from '@playwright/test';
import { DEMO, apiLogin, login, vi } from './helpers';

test.use({ viewport: { width: 1024, height: 768 }, hasTouch: true });

test('an open overview takes in newly ingested data without a reload', async ({ page, baseURL }) => {
  await login(page, DEMO.hanoi);
  await page.goto('/overview/01');
  const achieved = page.getByTestId('achieved-inspections').first();
  await expect(achieved).toBeVisible();
  await expect(page.getByTestId('live')).toHaveAttribute('data-state', 'live');
  const before = (await (await page.request.get('/api/v1/overview?unit=01')).json()).targets
    .find((t: any) => t.measure === 'inspections' && !t.sector).attainment.achieved;
  await expect(achieved).toHaveText(vi(before));

  // Another system sends three inspections opened today in a commune of Hà Nội.
  const officer = await apiLogin(baseURL!, DEMO.dataOfficer);
  const units = await (await officer.get('/api/v1/units?level=commune&parent=01')).json();
  const commune = units[0].code;
  const today = new Date().toISOString().slice(0, 10);
  const cases = [1, 2, 3].map((n) => ({
    source: 'HT-UBKT-01', external_id: `LIVE-${Date.now()}-${n}`, kind: 'inspection_duty',
    conducting_unit: '01', subject: { type: 'organization', unit: commune }, sector: 'land',
    status: 'in_progress', opened_on: today,
  }));
  const sent = await officer.post('/api/v1/ingest/cases', { data: cases });
  expect(sent.status()).toBe(200);
  expect((await sent.json()).accepted).toBe(3);

  // The figure on the open screen moves by itself, to what the API now says.
  await expect(achieved).toHaveText(vi(before + 3), { timeout: 20_000 });
  await officer.dispose();
});
