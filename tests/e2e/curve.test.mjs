// The audit curve and the stop signal in the Loop panel (issue "The loop pays"). Two rounds run on
// a generated project whose images were labeled through the API as a labeler would, audit draws
// included; the page must plot what GET /api/loop/curve says: each round's audit mAP@0.5 with its
// interval against images and against boxes labeled, the agreement between successive models, and
// the stop message. A second test feeds the page canned answers for what two rounds on a tiny
// project cannot reach: predictions that stopped changing, and a project without an audit set.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { api, categoryIds, login } from './lib/api.mjs';
import { newLabelerPage, waitForImage } from './lib/browser.mjs';
import { useServedProject } from './lib/fixture.mjs';
import { PASSWORDS } from './lib/project.mjs';

const served = useServedProject({ count: 40, seed: 13 });

// Rounds small enough for seconds of CPU, long enough that successive models find boxes to compare.
const ROUND_SETTINGS = {
  audit_fraction: 0.25,
  train: { steps: 40, warmup_steps: 4, batch: 8, input_size: 64, from: 'scratch' },
};
const AUDIT_SERIES = 'audit mAP@0.5';
const AGREEMENT_SERIES = 'agreement';

// The ground-truth boxes of a generated image, from the VOC file beside it.
async function truthBoxes(imagePath, categories) {
  const stem = path.basename(imagePath).replace(/\.[^.]+$/, '');
  const xml = await fs.readFile(path.join(served.project.images, `${stem}.xml`), 'utf8');
  const number = (text, tag) => Number(new RegExp(`<${tag}>\\s*([^<]+?)\\s*</${tag}>`).exec(text)[1]);
  return [...xml.matchAll(/<object>([\s\S]*?)<\/object>/g)].map(([, object]) => {
    const name = /<name>\s*([^<]+?)\s*<\/name>/.exec(object)[1];
    const [x0, y0, x1, y1] = ['xmin', 'ymin', 'xmax', 'ymax'].map((tag) => number(object, tag));
    return { category_id: categories[name].id, x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
  });
}

// Labels `count` images the way the page does: ask for the next one, save its true boxes.
async function labelImages(token, categories, count) {
  for (let i = 0; i < count; i++) {
    const next = await api(served.base, token, 'GET', '/api/next');
    assert.equal(next.status, 200, next.text);
    assert.ok(next.json.image, 'an image left to label');
    const { id, path: imagePath, version } = next.json.image;
    const boxes = await truthBoxes(imagePath, categories);
    const saved = await api(served.base, token, 'PUT', `/api/images/${id}/labels`, { version, boxes });
    assert.equal(saved.status, 200, saved.text);
  }
}

// Starts a round as the admin and waits until its model is stored and the loop is idle again.
async function runRound(adminToken, modelsBefore) {
  const started = await api(served.base, adminToken, 'POST', '/api/loop/run', {});
  assert.equal(started.status, 202, started.text);
  const deadline = Date.now() + 120000;
  for (;;) {
    const loop = (await api(served.base, adminToken, 'GET', '/api/loop')).json;
    if (loop.models > modelsBefore && loop.state === 'idle') return;
    const failed = loop.job?.state === 'failed' ? loop.job.error || loop.job.message : null;
    assert.equal(failed, null, 'the round failed');
    assert.ok(Date.now() < deadline, `the round did not finish: ${JSON.stringify(loop)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

// The points of one series as the chart drew them.
function drawnPoints(page, series) {
  return page.evaluate(
    (name) =>
      [
        ...document.querySelectorAll(
          `[data-testid=learning-curve] [data-series="${name}"] circle`,
        ),
      ].map((c) => ({ x: Number(c.dataset.x), y: Number(c.dataset.y) })),
    series,
  );
}

test('after two rounds the page plots the audit curve, the agreement and the stop signal', async () => {
  const adminToken = await login(served.base, 'carol', PASSWORDS.carol);
  const patched = await api(served.base, adminToken, 'PATCH', '/api/project/settings', ROUND_SETTINGS);
  assert.equal(patched.status, 200, patched.text);
  const alice = await login(served.base, 'alice', PASSWORDS.alice);
  const categories = await categoryIds(served.base, alice);

  await labelImages(alice, categories, 10);
  await runRound(adminToken, 0);
  await labelImages(alice, categories, 6);
  await runRound(adminToken, 1);

  const curve = (await api(served.base, alice, 'GET', '/api/loop/curve')).json;
  assert.equal(curve.rounds.length, 2);
  assert.ok(curve.audit.images >= 2, `audit images labeled: ${JSON.stringify(curve.audit)}`);
  const audited = curve.rounds.filter((r) => r.audit !== null);
  assert.equal(audited.length, 2, 'both rounds are scored on the audit set');
  const agreed = curve.rounds.filter((r) => r.agreement !== null);
  assert.equal(agreed.length, 1, `the second round agrees with the first: ${JSON.stringify(curve.rounds)}`);

  // A labeler's page, drawer open.
  const bob = await login(served.base, 'bob', PASSWORDS.bob);
  const { context, page } = await newLabelerPage(served.browser, `${served.base}/?token=${bob}`);
  await waitForImage(page);
  await page.getByTestId('models-button').click();
  const chart = page.getByTestId('learning-curve');
  await page.waitForFunction(
    () => document.querySelector('[data-testid=learning-curve]')?.dataset.rounds === '2',
  );

  // Against images labeled: one audit point per round with its interval band, the agreement.
  assert.equal(await chart.getAttribute('data-axis'), 'images');
  assert.equal(await chart.getAttribute('data-points'), '2');
  const byImages = (r) => r.labeled_images;
  assert.deepEqual(
    await drawnPoints(page, AUDIT_SERIES),
    audited.map((r) => ({ x: byImages(r), y: r.audit.map50 })).sort((a, b) => a.x - b.x),
  );
  assert.equal(await chart.locator(`[data-series="${AUDIT_SERIES}"] .chart-band`).count(), 1);
  assert.deepEqual(
    await drawnPoints(page, AGREEMENT_SERIES),
    agreed.map((r) => ({ x: byImages(r), y: r.agreement.f1 })),
  );
  await chart.locator('svg text', { hasText: 'images labeled' }).waitFor();
  const latest = audited.at(-1);
  await page
    .getByTestId('curve-caption')
    .filter({ hasText: `audit mAP@0.5 ${latest.audit.map50.toFixed(2)}` })
    .waitFor();

  // The stop signal in plain words, as the server says it; after two rounds it cannot be on.
  const stop = page.getByTestId('stop-signal');
  assert.equal(await stop.textContent(), curve.stop.message);
  assert.equal(await stop.getAttribute('data-stopped'), 'false');

  // Against boxes labeled.
  await page.getByTestId('curve-axis-boxes').click();
  assert.equal(await chart.getAttribute('data-axis'), 'boxes');
  assert.deepEqual(
    (await drawnPoints(page, AUDIT_SERIES)).map((p) => p.x),
    audited.map((r) => r.labeled_boxes).sort((a, b) => a - b),
  );
  await chart.locator('svg text', { hasText: 'boxes labeled' }).waitFor();
  assert.equal(await page.getByTestId('curve-axis-boxes').getAttribute('aria-pressed'), 'true');
  assert.deepEqual(page.errors, []);
  await context.close();
});

// A curve answer as the server would give it, for what a short test cannot reach.
function cannedCurve({ stopped, note = null, audit = true }) {
  const round = (model_id, labeled_images, labeled_boxes, map50, f1) => ({
    model_id,
    created_at: '2026-01-01T00:00:00Z',
    trained_on: labeled_images - 1,
    labeled_images,
    labeled_boxes,
    audit: audit
      ? { images: 6, boxes: 20, map50, map50_low: map50 - 0.1, map50_high: map50 + 0.1, map: map50 / 2, map_low: 0, map_high: 1 }
      : null,
    agreement: f1 === null ? null : { f1, sample: 200, previous_model_id: model_id - 1 },
  });
  return {
    audit: { fraction: 0.1, images: audit ? 6 : 0, boxes: audit ? 20 : 0 },
    rounds: [
      round(1, 20, 60, 0.3, null),
      round(2, 40, 130, 0.5, 0.92),
      round(3, 60, 190, 0.55, 0.95),
      round(4, 80, 260, 0.56, 0.97),
    ],
    stop: {
      threshold: 0.9,
      rounds_needed: 3,
      rounds_above: stopped ? 3 : 2,
      stopped_changing: stopped,
      message: stopped
        ? "The model's predictions have stopped changing: more labels are unlikely to help much."
        : 'The model is still changing: 2 of the 3 rounds in a row needed agree. Keep labeling.',
    },
    note,
  };
}

test('the stop signal stands out once predictions stop changing; no audit set is said, not faked', async () => {
  const bob = await login(served.base, 'bob', PASSWORDS.bob);
  const { context, page } = await newLabelerPage(served.browser, `${served.base}/?token=${bob}`);
  // The route answers whatever the test last set; extra fetches (server events) change nothing.
  let answer = cannedCurve({ stopped: false });
  let calls = 0;
  await page.route('**/api/loop/curve', (route) => {
    calls++;
    return route.fulfill({ json: answer });
  });
  await waitForImage(page);
  // Closing and opening the drawer fetches the curve again.
  const reopenWith = async (next) => {
    answer = next;
    const before = calls;
    await page.getByTestId('models-button').click();
    await page.getByTestId('models-button').click();
    while (calls === before) await new Promise((r) => setTimeout(r, 20));
  };
  const stop = page.getByTestId('stop-signal');
  await page.getByTestId('models-button').click();
  await stop.filter({ hasText: 'still changing' }).waitFor();
  assert.equal(await stop.getAttribute('data-stopped'), 'false');
  assert.equal(await page.getByTestId('learning-curve').getAttribute('data-agreement-points'), '3');

  // The next answer says the predictions stopped changing: set apart, and a toast says it once.
  await reopenWith(cannedCurve({ stopped: true }));
  await stop.filter({ hasText: 'stopped changing' }).waitFor();
  assert.equal(await stop.getAttribute('data-stopped'), 'true');
  assert.ok(await stop.evaluate((e) => e.classList.contains('stopped')));
  await page.getByTestId('toast-stop').filter({ hasText: 'stopped changing' }).waitFor();
  await page.getByTestId('curve-note').waitFor({ state: 'hidden' });

  // A project without an audit set: the note, and no audit line; the agreement is still drawn.
  await reopenWith(
    cannedCurve({ stopped: false, audit: false, note: 'No audit set: every image was imported already labeled.' }),
  );
  await page.getByTestId('curve-note').filter({ hasText: 'No audit set' }).waitFor();
  const chart = page.getByTestId('learning-curve');
  assert.equal(await chart.getAttribute('data-points'), '0');
  assert.equal(await chart.locator(`[data-series="${AUDIT_SERIES}"]`).count(), 0);
  assert.equal(await chart.locator(`[data-series="${AGREEMENT_SERIES}"] circle`).count(), 3);
  assert.equal(await page.getByTestId('toast-stop').count(), 1);
  assert.deepEqual(page.errors, []);
  await context.close();
});
