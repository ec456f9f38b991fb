// The page's part of the active-learning loop: the halting widget on a queued image, the loop's
// settings saved by an admin (and refused with the server's reason), the labeler's read-only view
// with the audit curve, and a new queue published while the page is open: a toast, the
// prefetched image from the old order dropped, and the image being edited kept with its boxes.
// curve.test.mjs checks the audit curve and the stop signal after rounds with audit images.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { api, categoryIds, getImage, login } from './lib/api.mjs';
import { dragImage, newLabelerPage, state, waitForImage } from './lib/browser.mjs';
import { useServedProject } from './lib/fixture.mjs';
import { PASSWORDS, cli } from './lib/project.mjs';

const LABELED = 6;

// A project with a model and a queue: some images labeled from their VOC files, a tiny model
// trained from scratch (seconds, not a useful detector: the page only needs its scores), and the
// unlabeled rest scored with the project's default strategy.
async function trainAndScore({ dir, project, images }) {
  const labels = path.join(dir, 'labels');
  await fs.mkdir(labels);
  const xml = (await fs.readdir(images)).filter((f) => f.endsWith('.xml')).sort();
  for (const file of xml.slice(0, LABELED)) {
    await fs.copyFile(path.join(images, file), path.join(labels, file));
  }
  await cli('import-labels', project, labels);
  await cli(
    'train', project, '--from', 'scratch', '--epochs', '1', '--input-size', '64',
    '--allow-empty-categories',
  );
  await cli('score', project);
}

const served = useServedProject({ count: 14, seed: 6, prepare: trainAndScore });

const HALTING_TEXTS = [
  'uncertainty sampling still beats random here',
  'near random: consider retraining',
  'queue has run flat: retrain',
];

async function openAs(name) {
  const token = await login(served.base, name, PASSWORDS[name]);
  const { context, page } = await newLabelerPage(served.browser, `${served.base}/?token=${token}`);
  await page.getByTestId('user-name').filter({ hasText: name }).waitFor();
  const id = await waitForImage(page);
  return { token, context, page, id };
}

test('the halting widget marks where the queued image sits on the scale', async () => {
  const { token, context, page } = await openAs('alice');
  const query = await page.evaluate(() => window.__boxloop.query);
  assert.ok(query, 'the first image of a scored project comes from the queue');
  const marker = page.getByTestId('halting-marker');
  await marker.waitFor();
  assert.equal(await marker.getAttribute('data-zone'), query.zone);
  assert.ok(Math.abs(Number(await marker.getAttribute('data-position')) - query.position) < 1e-3);
  const text = await page.getByTestId('halting-text').textContent();
  assert.ok(HALTING_TEXTS.some((t) => text.includes(t)), `halting text: ${text}`);

  // The marker sits over the scale at its position (not hidden, not off the bar).
  const scale = await page.getByTestId('halting-scale').boundingBox();
  const mark = await marker.boundingBox();
  const centre = mark.x + mark.width / 2;
  assert.ok(Math.abs(centre - (scale.x + query.position * scale.width)) <= 3, 'marker place');

  // The queue the widget describes is the server's.
  const queue = (await api(served.base, token, 'GET', '/api/queue')).json;
  assert.equal(queue.size, 14 - LABELED);
  await page.getByTestId('halting').filter({ hasText: queue.strategy }).waitFor();
  await context.close();
});

test('a labeler sees the loop state and the audit curve but no controls', async () => {
  const { token, context, page } = await openAs('bob');
  await page.getByTestId('models-button').click();
  await page.getByTestId('loop-state').filter({ hasText: /Idle|queued|Training|Scoring/ }).waitFor();
  await page.getByTestId('loop-next').filter({ hasText: /round/ }).waitFor();
  assert.equal(await page.getByTestId('loop-controls').isVisible(), false);
  // One model, trained on imported labels: a round without an audit figure (no audit image was
  // labeled: imports are never drawn for it), and the page says why instead of faking a point.
  const curve = (await api(served.base, token, 'GET', '/api/loop/curve')).json;
  assert.equal(curve.rounds.length, 1);
  assert.equal(curve.rounds[0].audit, null);
  assert.ok(curve.note, 'the server says why there is no audit figure');
  const chart = page.getByTestId('learning-curve');
  await page.waitForFunction(
    () => document.querySelector('[data-testid=learning-curve]')?.dataset.rounds === '1',
  );
  assert.equal(await chart.getAttribute('data-points'), '0');
  await page.getByTestId('curve-note').filter({ hasText: curve.note }).waitFor();
  await page.getByTestId('stop-signal').filter({ hasText: curve.stop.message }).waitFor();
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('an admin changes the loop; a new queue arrives live and the edited image is kept', async () => {
  const { token, context, page, id } = await openAs('carol');
  const categories = await categoryIds(served.base, token);
  const { image } = await getImage(served.base, token, id);

  // An unsaved box on the image being edited.
  await page.keyboard.press(categories.king.hotkey);
  const [W, H] = [image.width, image.height];
  await dragImage(page, [0.2 * W, 0.2 * H], [0.5 * W, 0.6 * H]);
  const drawn = (await state(page)).boxes;
  assert.equal(drawn.length, 1);
  await page.waitForFunction(() => window.__boxloop.prefetchedId !== null);
  const prefetched = await page.evaluate(() => window.__boxloop.prefetchedId);

  // Loop settings: a bad value is refused with the server's reason, a good one is stored.
  await page.getByTestId('loop-status').click();
  const every = page.getByTestId('loop-every');
  await every.waitFor();
  const before = (await api(served.base, token, 'GET', '/api/loop')).json;
  await every.fill('0');
  await page.getByTestId('loop-save').click();
  await page.getByTestId('loop-error').filter({ hasText: /every/ }).waitFor();
  assert.equal((await api(served.base, token, 'GET', '/api/loop')).json.every, before.every);
  const wanted = before.every + 17;
  await every.fill(String(wanted));
  await page.getByTestId('loop-save').click();
  await page.getByTestId('toast-loop-saved').waitFor();
  assert.equal(await page.getByTestId('loop-error').isVisible(), false);
  assert.equal((await api(served.base, token, 'GET', '/api/loop')).json.every, wanted);
  await page.getByTestId('loop-next').filter({ hasText: `every ${wanted}` }).waitFor();
  await page.getByTestId('models-panel').locator('button[title="Close"]').click();

  // A new queue published beside the server (as a finished round does) reaches the open page.
  await cli('score', served.project.project, '--strategy', 'random', '--seed', '7');
  const model = (await api(served.base, token, 'GET', '/api/queue')).json.model_id;
  await page
    .getByTestId('toast-queue')
    .filter({ hasText: `New order from model ${model} (random)` })
    .waitFor({ timeout: 15000 });
  await page.getByTestId('halting').filter({ hasText: 'random' }).waitFor();

  // Same image, same unsaved box; the image fetched ahead from the old order was let go.
  const after = await state(page);
  assert.equal(after.imageId, id);
  assert.deepEqual(after.boxes, drawn);
  await page.waitForFunction(
    (old) => window.__boxloop.prefetchedId !== null && window.__boxloop.prefetchedId !== old,
    prefetched,
  );
  assert.ok((await page.evaluate(() => window.__boxloop.heldBack)).includes(prefetched));

  // Saving stores the box and moves on in the new order, past the dropped image.
  await page.keyboard.press('Space');
  const next = await waitForImage(page, id);
  assert.notEqual(next, prefetched);
  assert.ok(await page.evaluate(() => window.__boxloop.query), 'the next image is in the new queue');
  await page.getByTestId('halting-marker').waitFor();
  const stored = await getImage(served.base, token, id);
  assert.equal(stored.annotations.length, 1);
  assert.equal(stored.annotations[0].category_id, categories.king.id);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('"Retrain now" runs a round the page follows to a new queue and a new round on the curve', async () => {
  const { token, context, page, id } = await openAs('carol');
  // Rounds as tiny as the fixture's model, so the round takes seconds.
  const patch = { train: { steps: 2, warmup_steps: 1, batch: 4, input_size: 64 } };
  const patched = await api(served.base, token, 'PATCH', '/api/project/settings', patch);
  assert.equal(patched.status, 200, patched.text);
  const modelsBefore = (await api(served.base, token, 'GET', '/api/models')).json.length;

  await page.getByTestId('loop-status').click();
  const rounds = () =>
    page.evaluate(() => document.querySelector('[data-testid=learning-curve]')?.dataset.rounds);
  await page.waitForFunction(
    (want) => document.querySelector('[data-testid=learning-curve]')?.dataset.rounds === want,
    String(modelsBefore),
  );
  await page.getByTestId('loop-run').click();
  await page.getByTestId('toast-loop-run').waitFor();

  const next = modelsBefore + 1;
  await page
    .getByTestId('toast-queue')
    .filter({ hasText: `New order from model ${next}` })
    .waitFor({ timeout: 60000 });
  await page.waitForFunction(
    (want) => document.querySelector('[data-testid=learning-curve]')?.dataset.rounds === want,
    String(next),
    { timeout: 15000 },
  );
  assert.equal(await rounds(), String(next));
  await page.getByTestId('loop-state').filter({ hasText: 'Idle' }).waitFor({ timeout: 15000 });
  await page.getByTestId('halting').filter({ hasText: `model #${next}` }).waitFor();
  assert.equal((await state(page)).imageId, id, 'the image shown stays while the round runs');
  assert.deepEqual(page.errors, []);
  await context.close();
});
