// Makes docs/screenshot.png: the page labeling real card photos. Not a test (node --test runs
// only *.test.mjs). Usage:
//   BOXLOOP_BINARY=build/src/cli/boxloop node screenshot.mjs IMAGE.jpg... [--out OUT.png]
// Each photo's VOC file (same name, .xml) gives its boxes, which are drawn through the page with
// the mouse and hotkeys like a labeler would. Every photo but the last is saved (so the category
// bars show counts); on the last one the last box is left selected.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { categoryIds, login } from './lib/api.mjs';
import { clickImage, dragImage, launch, newLabelerPage, waitForImage } from './lib/browser.mjs';
import { CATEGORIES, PASSWORDS, binary, removeProject, startServer } from './lib/project.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const outPath =
  outIndex >= 0 ? path.resolve(args.splice(outIndex, 2)[1]) : path.resolve(here, '../../docs/screenshot.png');
if (args.length === 0) throw new Error('usage: node screenshot.mjs IMAGE.jpg... [--out OUT.png]');

async function vocObjects(imagePath) {
  const xml = await fs.readFile(imagePath.replace(/\.[^.]+$/, '.xml'), 'utf8');
  return [...xml.matchAll(/<object>([\s\S]*?)<\/object>/g)].map(([, body]) => {
    const tag = (name) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)[1];
    return { name: tag('name'), box: ['xmin', 'ymin', 'xmax', 'ymax'].map((k) => Number(tag(k))) };
  });
}
const labels = new Map();
for (const file of args) labels.set(path.parse(file).name, await vocObjects(file));

const run = promisify(execFile);
const dir = await fs.mkdtemp('/tmp/boxloop-shot-');
const project = path.join(dir, 'cards');
await run(binary(), ['init', project, '--categories', CATEGORIES.join(',')]);
for (const file of args) await run(binary(), ['import', project, file]);
await run(binary(), ['user', 'add', project, 'alice', '--role', 'labeler', '--password', PASSWORDS.alice]);
const server = await startServer(project);
const browser = await launch();
try {
  const token = await login(server.base, 'alice', PASSWORDS.alice);
  const categories = await categoryIds(server.base, token);
  const { page } = await newLabelerPage(browser, `${server.base}/?token=${token}`);
  let previous = null;
  for (let i = 0; i < args.length; i++) {
    const id = await waitForImage(page, previous);
    const shown = await page.evaluate(() => window.__boxloop.imagePath);
    const objects = labels.get(path.parse(shown).name);
    if (!objects) throw new Error(`no VOC labels for the shown image ${shown}`);
    for (const { name, box } of objects) {
      await page.keyboard.press(categories[name].hotkey);
      // Shift draws even where the drag starts on an overlapping box.
      await page.keyboard.down('Shift');
      await dragImage(page, [box[0], box[1]], [box[2], box[3]]);
      await page.keyboard.up('Shift');
    }
    if (i + 1 < args.length) {
      await page.keyboard.press('Space');
      previous = id;
    } else {
      const last = objects.at(-1).box;
      await clickImage(page, (last[0] + last[2]) / 2, (last[1] + last[3]) / 2);
    }
  }
  await page.mouse.move(5, 400);
  await page.waitForTimeout(300);
  await page.screenshot({ path: outPath });
  console.log(`wrote ${outPath}`);
} finally {
  await browser.close();
  await server.stop();
  await removeProject(dir);
}
