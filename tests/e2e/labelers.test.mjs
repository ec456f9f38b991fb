// Two labelers at once: their pages never show the same image, and no image is saved by both.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { api, login } from './lib/api.mjs';
import { newLabelerPage, waitForImage } from './lib/browser.mjs';
import { useServedProject } from './lib/fixture.mjs';
import { PASSWORDS } from './lib/project.mjs';

const served = useServedProject({ count: 10, seed: 2 });

test('alice and bob never get the same image at once', async () => {
  const labelers = [];
  for (const name of ['alice', 'bob']) {
    const token = await login(served.base, name, PASSWORDS[name]);
    // The demo's link form: ?token= in the URL logs the page in.
    const { context, page } = await newLabelerPage(served.browser, `${served.base}/?token=${token}`);
    await page.getByTestId('user-name').filter({ hasText: name }).waitFor();
    labelers.push({ name, token, context, page, saved: [] });
  }
  const [alice, bob] = labelers;
  let aliceId = await waitForImage(alice.page);
  let bobId = await waitForImage(bob.page);
  // Each page holds its image and a prefetched next one; 10 images leave room for 4 rounds.
  for (let round = 0; round < 4; round++) {
    assert.notEqual(aliceId, bobId, `round ${round}: both labelers were shown image ${aliceId}`);
    assert.ok(!alice.saved.includes(bobId) && !bob.saved.includes(aliceId));
    alice.saved.push(aliceId);
    await alice.page.keyboard.press('Space');
    aliceId = await waitForImage(alice.page, aliceId);
    bob.saved.push(bobId);
    await bob.page.keyboard.press('ArrowRight');
    bobId = await waitForImage(bob.page, bobId);
  }
  assert.notEqual(aliceId, bobId);
  const both = alice.saved.filter((id) => bob.saved.includes(id));
  assert.deepEqual(both, [], `images saved by both: ${both}`);
  // The server's history agrees: each saved image was saved once, by the labeler who had it.
  for (const labeler of labelers) {
    for (const id of labeler.saved) {
      const answer = await api(served.base, labeler.token, 'GET', `/api/images/${id}`);
      assert.equal(answer.status, 200);
      assert.deepEqual(
        answer.json.events.map((e) => e.labeler),
        [labeler.name],
        `image ${id} history`,
      );
    }
  }
  for (const labeler of labelers) {
    assert.deepEqual(labeler.page.errors, []);
    await labeler.context.close();
  }
});
