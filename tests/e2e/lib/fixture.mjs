// The set-up every browser test file shares: a generated project served by `boxloop serve` and a
// headless Chromium, made once before the file's tests and removed after them.
//
//   const served = useServedProject({ count: 8, seed: 1 });
//   test('...', async () => { const { page } = await newLabelerPage(served.browser, served.base); });
//
// `prepare(project)` runs on the project before the server starts (label, train, score with the
// CLI). The fields are filled in by the `before` hook, so read them inside tests only.
import { after, before } from 'node:test';
import { launch } from './browser.mjs';
import { makeProject, removeProject, startServer } from './project.mjs';

export function useServedProject({ count = 8, seed = 1, prepare = null } = {}) {
  const served = {
    project: null, // { dir, project, images } from makeProject
    server: null, // { base, output, stop } from startServer
    browser: null,
    get base() {
      return served.server.base;
    },
  };
  before(async () => {
    served.project = await makeProject({ count, seed });
    if (prepare) await prepare(served.project);
    served.server = await startServer(served.project.project);
    served.browser = await launch();
  });
  after(async () => {
    await served.browser?.close();
    await served.server?.stop();
    await removeProject(served.project?.dir);
  });
  return served;
}
