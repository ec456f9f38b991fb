// What the page does when the server refuses or cannot be reached: a conflicting save, a lost
// connection, a lost session. In every case the labeler's boxes must survive and be stored.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { api, categoryIds, getImage, login } from './lib/api.mjs';
import { dragImage, newLabelerPage, state, waitForImage } from './lib/browser.mjs';
import { useServedProject } from './lib/fixture.mjs';
import { PASSWORDS } from './lib/project.mjs';

const served = useServedProject({ count: 12, seed: 3 });

async function openAs(name) {
  const token = await login(served.base, name, PASSWORDS[name]);
  const { context, page } = await newLabelerPage(served.browser, `${served.base}/?token=${token}`);
  const id = await waitForImage(page);
  const { image } = await getImage(served.base, token, id);
  return { token, context, page, id, image };
}

// Draws one box of `category` over the given fractions of the image.
async function drawBox(page, image, category, [x0, y0, x1, y1]) {
  await page.keyboard.press(category.hotkey);
  await dragImage(page, [x0 * image.width, y0 * image.height], [x1 * image.width, y1 * image.height]);
}

test('a conflicting save says who saved, and can load theirs or overwrite with mine', async () => {
  const { token, context, page, id, image } = await openAs('alice');
  const bobToken = await login(served.base, 'bob', PASSWORDS.bob);
  const categories = await categoryIds(served.base, token);

  // Bob saves the same image (same version) behind alice's back.
  const bobBox = { category_id: categories.king.id, x: 10, y: 10, w: 30, h: 40 };
  const bobSave = await api(served.base, bobToken, 'PUT', `/api/images/${id}/labels`, {
    version: image.version,
    boxes: [bobBox],
  });
  assert.equal(bobSave.status, 200, bobSave.text);

  await drawBox(page, image, categories.ace, [0.2, 0.2, 0.5, 0.6]);
  await page.keyboard.press('Space');
  const conflict = page.getByTestId('toast-conflict');
  await conflict.waitFor();
  assert.match(await conflict.innerText(), /bob saved this image/);
  assert.equal((await state(page)).imageId, id, 'the page stays on the contested image');
  assert.equal((await state(page)).unsaved, 1, 'the refused save is kept');

  await page.getByTestId('conflict-load-theirs').click();
  await page.waitForFunction(() => window.__boxloop.unsaved === 0);
  const theirs = await state(page);
  assert.equal(theirs.boxes.length, 1);
  assert.equal(theirs.boxes[0].category_id, categories.king.id);
  assert.equal(theirs.version, bobSave.json.image.version);

  // Overwrite: bob saves again, alice chooses to keep her boxes on top of his version.
  const again = await api(served.base, bobToken, 'PUT', `/api/images/${id}/labels`, {
    version: bobSave.json.image.version,
    boxes: [bobBox, { ...bobBox, x: 60 }],
  });
  assert.equal(again.status, 200, again.text);
  await page.keyboard.press('Delete'); // nothing selected: no change
  await drawBox(page, image, categories.ace, [0.2, 0.2, 0.5, 0.6]);
  await page.keyboard.press('Space');
  await page.getByTestId('conflict-overwrite').click();
  await waitForImage(page, id);
  const stored = await getImage(served.base, token, id);
  assert.equal(stored.image.version, again.json.image.version + 1);
  assert.deepEqual(
    stored.annotations.map((a) => a.category_id).sort(),
    [categories.king.id, categories.ace.id].sort(),
  );
  assert.equal(stored.events.at(-1).labeler, 'alice');
  await context.close();
});

test('offline: the save is kept, counted as unsaved, and lands when back online', async () => {
  const { token, context, page, id, image } = await openAs('alice');
  const categories = await categoryIds(served.base, token);
  await drawBox(page, image, categories.queen, [0.3, 0.3, 0.6, 0.7]);
  await context.setOffline(true);
  await page.keyboard.press('Space');
  await page.getByTestId('toast-offline').waitFor();
  const badge = page.getByTestId('unsaved-badge');
  await badge.filter({ hasText: '1 unsaved' }).waitFor();
  // The prefetched image is shown at once, even offline.
  assert.notEqual(await waitForImage(page, id), id);
  // Kept under the user who made it, so that nobody else's login sends it.
  const kept = await page.evaluate(() => JSON.parse(localStorage.getItem('boxloop.pending.alice')));
  assert.equal(kept.length, 1);
  assert.equal(kept[0].image_id, id);
  assert.equal((await getImage(served.base, token, id)).annotations.length, 0);

  await context.setOffline(false);
  await badge.waitFor({ state: 'hidden' });
  const stored = await getImage(served.base, token, id);
  assert.equal(stored.image.status, 'labeled');
  assert.equal(stored.annotations.length, 1);
  assert.equal(stored.annotations[0].category_id, categories.queen.id);
  assert.ok(Math.abs(stored.annotations[0].box.x - 0.3 * image.width) <= 2);
  await context.close();
});

test('a lost session asks to log in, keeps the boxes and saves them after login', async () => {
  const { token, context, page, id, image } = await openAs('alice');
  const categories = await categoryIds(served.base, token);
  await drawBox(page, image, categories.nine, [0.1, 0.1, 0.4, 0.4]);
  // The session ends on the server (as after a logout elsewhere).
  const pageToken = await page.evaluate(() => localStorage.getItem('boxloop.token'));
  assert.equal((await api(served.base, pageToken, 'POST', '/api/logout', {})).status, 200);

  await page.keyboard.press('Space');
  await page.getByTestId('login').waitFor();
  assert.match(await page.getByTestId('login-reason').innerText(), /unsaved boxes are kept/);
  assert.equal((await state(page)).boxes.length, 1);
  await page.getByTestId('login-name').fill('alice');
  await page.getByTestId('login-password').fill('wrong password');
  await page.getByTestId('login-submit').click();
  await page.getByTestId('login-error').filter({ hasText: 'Wrong' }).waitFor();
  await page.getByTestId('login-password').fill(PASSWORDS.alice);
  await page.getByTestId('login-submit').click();
  await waitForImage(page, id);
  // The page's (and this test's) first session is gone; check with a fresh one.
  const fresh = await login(served.base, 'alice', PASSWORDS.alice);
  assert.notEqual(fresh, token);
  const stored = await getImage(served.base, fresh, id);
  assert.equal(stored.annotations.length, 1);
  assert.equal(stored.annotations[0].category_id, categories.nine.id);
  assert.equal(stored.image.version, image.version + 1, 'saved once, not twice');
  await context.close();
});

test('the models panel shows an empty state before any model is trained', async () => {
  const { context, page } = await openAs('bob');
  // Before any model the loop orders the images at random for the first round
  // (loop/first_batch.h): the widget names that order and shows no scale (no scores to judge).
  await page.getByTestId('halting-source').filter({ hasText: 'random first batch' }).waitFor();
  assert.equal(await page.getByTestId('halting-scale').count(), 0);
  assert.equal(await page.getByTestId('halting-marker').count(), 0);
  await page.getByTestId('models-button').click();
  await page.getByTestId('models-empty').waitFor();
  assert.equal(await page.getByTestId('model').count(), 0);
  assert.equal(await page.getByTestId('learning-curve').getAttribute('data-points'), '0');
  await context.close();
});
