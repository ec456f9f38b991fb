// One labeler labels a generated project end to end with mouse and keys, and the server must hold
// exactly the boxes the page showed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { categoryIds, getImage, login } from './lib/api.mjs';
import {
  clickImage,
  dragImage,
  loginWithForm,
  newLabelerPage,
  state,
  waitForImage,
} from './lib/browser.mjs';
import { useServedProject } from './lib/fixture.mjs';
import { PASSWORDS } from './lib/project.mjs';

const served = useServedProject({ count: 8, seed: 1 });

function assertBoxesNear(actual, expected, tolerance = 2) {
  assert.equal(actual.length, expected.length, `box count: ${JSON.stringify(actual)}`);
  const sorted = (list) => [...list].sort((a, b) => a.x - b.x);
  const a = sorted(actual);
  const e = sorted(expected);
  for (let i = 0; i < e.length; i++) {
    assert.equal(a[i].category_id, e[i].category_id, `box ${i} category`);
    for (const k of ['x', 'y', 'w', 'h']) {
      assert.ok(
        Math.abs(a[i][k] - e[i][k]) <= tolerance,
        `box ${i} ${k}: ${a[i][k]} is not within ${tolerance} px of ${e[i][k]}`,
      );
    }
  }
}

const stored = (annotations) => annotations.map((a) => ({ category_id: a.category_id, ...a.box }));

test('draw, move, resize, relabel, undo, save with space, go back: the server holds those boxes', async () => {
  const { context, page } = await newLabelerPage(served.browser, served.base);
  await loginWithForm(page, 'alice', PASSWORDS.alice);
  await page.getByTestId('user-name').filter({ hasText: 'alice' }).waitFor();
  const token = await login(served.base, 'alice', PASSWORDS.alice);
  const categories = await categoryIds(served.base, token);

  const first = await waitForImage(page);
  const { image } = await getImage(served.base, token, first);
  const W = image.width;
  const H = image.height;
  const at = (fx, fy) => [fx * W, fy * H];

  // Two boxes, each category picked by its hotkey.
  await page.keyboard.press(categories.nine.hotkey);
  await dragImage(page, at(0.1, 0.1), at(0.3, 0.4));
  await page.keyboard.press(categories.ten.hotkey);
  await dragImage(page, at(0.5, 0.5), at(0.7, 0.8));
  assert.equal((await state(page)).boxes.length, 2);

  // Move the first by dragging its middle.
  await dragImage(page, at(0.2, 0.25), at(0.25, 0.3));
  // Resize the second by its bottom-right handle.
  await clickImage(page, ...at(0.6, 0.65));
  assert.equal((await state(page)).selected?.category_id, categories.ten.id);
  await dragImage(page, at(0.7, 0.8), at(0.75, 0.9));

  // Relabel the first from the dropdown, the second with a hotkey; undo the last relabel.
  await clickImage(page, ...at(0.25, 0.3));
  await page.getByTestId('box-category').selectOption(String(categories.jack.id));
  await clickImage(page, ...at(0.6, 0.65));
  await page.keyboard.press(categories.queen.hotkey);
  assert.ok((await state(page)).boxes.some((b) => b.category_id === categories.queen.id));
  await page.keyboard.press('Control+z');

  const expected = [
    { category_id: categories.jack.id, x: 0.15 * W, y: 0.15 * H, w: 0.2 * W, h: 0.3 * H },
    { category_id: categories.ten.id, x: 0.5 * W, y: 0.5 * H, w: 0.25 * W, h: 0.4 * H },
  ];
  assertBoxesNear((await state(page)).boxes, expected);

  // Save and next with the space key.
  await page.keyboard.press('Space');
  const second = await waitForImage(page, first);
  assert.notEqual(second, first);
  const saved = await getImage(served.base, token, first);
  assert.equal(saved.image.status, 'labeled');
  assertBoxesNear(stored(saved.annotations), expected);
  assert.equal(saved.events.at(-1).labeler, 'alice');
  const versionAfterSave = saved.image.version;

  // Back with the left arrow shows the saved boxes again.
  await page.keyboard.press('ArrowLeft');
  assert.equal(await waitForImage(page, second), first);
  assertBoxesNear((await state(page)).boxes, expected);

  // Space after clicking a toolbar button saves once, not twice, and returns to the next image.
  await page.getByTestId('fit').click();
  await page.keyboard.press('Space');
  assert.equal(await waitForImage(page, first), second);
  const resaved = await getImage(served.base, token, first);
  assert.equal(resaved.image.version, versionAfterSave + 1);
  assertBoxesNear(stored(resaved.annotations), expected);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('typing a comment does not trigger hotkeys, and the comment is saved', async () => {
  const { context, page } = await newLabelerPage(served.browser, served.base);
  await loginWithForm(page, 'alice', PASSWORDS.alice);
  const token = await login(served.base, 'alice', PASSWORDS.alice);
  const id = await waitForImage(page);
  await page.getByTestId('comment').click();
  // Space, digits and "s" would save, pick categories and skip if they reached the hotkeys.
  await page.keyboard.type('blurry 1 s');
  assert.equal((await state(page)).imageId, id);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Space');
  await waitForImage(page, id);
  const saved = await getImage(served.base, token, id);
  assert.equal(saved.events.at(-1).comment, 'blurry 1 s');
  await context.close();
});

test('boxes not saved yet count as pending in the category bars; the category survives a reload', async () => {
  const { context, page } = await newLabelerPage(served.browser, served.base);
  await loginWithForm(page, 'bob', PASSWORDS.bob);
  const token = await login(served.base, 'bob', PASSWORDS.bob);
  const categories = await categoryIds(served.base, token);
  const id = await waitForImage(page);
  const { image } = await getImage(served.base, token, id);
  const [W, H] = [image.width, image.height];
  const saved = Number(await page.getByTestId('count-king').textContent());

  // Three fresh kings: the saved count stays, the three show as pending beside it.
  await page.keyboard.press(categories.king.hotkey);
  for (const left of [0.05, 0.35, 0.65]) {
    await dragImage(page, [left * W, 0.1 * H], [(left + 0.2) * W, 0.4 * H]);
  }
  await page.getByTestId('pending-king').filter({ hasText: '+3' }).waitFor();
  assert.equal(Number(await page.getByTestId('count-king').textContent()), saved);
  await page.keyboard.press('Control+z');
  await page.getByTestId('pending-king').filter({ hasText: '+2' }).waitFor();

  // Saved: the server's count takes them over and nothing is pending.
  await page.keyboard.press('Space');
  await waitForImage(page, id);
  await page.getByTestId('count-king').filter({ hasText: String(saved + 2) }).waitFor();
  assert.equal(await page.getByTestId('pending-king').textContent(), '');

  // The category picked last is still picked after a reload.
  await page.keyboard.press(categories.jack.hotkey);
  await page.reload();
  await waitForImage(page);
  assert.equal(await page.evaluate(() => window.__boxloop.activeCategory), categories.jack.id);
  assert.equal(await page.getByTestId('category-jack').getAttribute('aria-pressed'), 'true');
  assert.deepEqual(page.errors, []);
  await context.close();
});
