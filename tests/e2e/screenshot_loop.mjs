// Makes docs/screenshot-loop.png: the page in the middle of the active-learning loop, on real card
// photos: the halting widget above the image and the loop panel with its learning curve. Not a
// test (node --test runs only *.test.mjs). Usage:
//   BOXLOOP_BINARY=build/src/cli/boxloop node screenshot_loop.mjs CARDS_DIR [--out OUT.png]
//       [--images 100] [--rounds 20,40,60] [--epochs 15] [--every 80]
// CARDS_DIR holds photos with VOC files of the same name (../shared/data/cards/train). The first
// `--images` photos are imported; for each round the next photos' VOC files are imported as labels
// and a model is trained (fine-tuned from the COCO weights, then warm-started from the previous
// one), so the curve shows real validation mAP (each model's own held-out fifth of its labels, so
// small rounds are noisy). The last model scores the rest, the loop's period is set so that the
// server starts no round of its own, and an admin's page is captured with a box drawn on the
// queue's first image.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { categoryIds, login } from './lib/api.mjs';
import { dragImage, launch, waitForImage } from './lib/browser.mjs';
import { CATEGORIES, PASSWORDS, cli, removeProject, startServer } from './lib/project.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
function option(name, fallback) {
  const index = args.indexOf(name);
  return index >= 0 ? args.splice(index, 2)[1] : fallback;
}
const outPath = path.resolve(option('--out', path.resolve(here, '../../docs/screenshot-loop.png')));
const imageCount = Number(option('--images', '100'));
const rounds = option('--rounds', '20,40,60').split(',').map(Number);
const every = option('--every', '80');
const epochs = option('--epochs', '15');
if (args.length !== 1) throw new Error('usage: node screenshot_loop.mjs CARDS_DIR [--out OUT.png]');
const cards = path.resolve(args[0]);

const photos = (await fs.readdir(cards))
  .filter((f) => /\.jpe?g$/i.test(f))
  .sort()
  .slice(0, imageCount);
const dir = await fs.mkdtemp('/tmp/boxloop-shot-');
const project = path.join(dir, 'cards');
const picked = path.join(dir, 'photos');
await fs.mkdir(picked);
for (const photo of photos) await fs.symlink(path.join(cards, photo), path.join(picked, photo));
await cli('init', project, '--categories', CATEGORIES.join(','));
await cli('import', project, picked);
await cli('user', 'add', project, 'carol', '--role', 'admin', '--password', PASSWORDS.carol);

let labeled = 0;
for (const [round, count] of rounds.entries()) {
  const labels = path.join(dir, `labels-${round}`);
  await fs.mkdir(labels);
  for (const photo of photos.slice(labeled, count)) {
    const xml = photo.replace(/\.[^.]+$/, '.xml');
    await fs.copyFile(path.join(cards, xml), path.join(labels, xml));
  }
  labeled = count;
  await cli('import-labels', project, labels);
  const from = round === 0 ? 'pretrained' : 'last';
  console.log(`round ${round + 1}: training on ${count} labeled photos (from ${from})`);
  await cli('train', project, '--from', from, '--epochs', epochs, '--input-size', '256',
    '--allow-empty-categories');
}
await cli('score', project);
await cli('loop', project, '--every', every);

const server = await startServer(project);
const browser = await launch();
try {
  const token = await login(server.base, 'carol', PASSWORDS.carol);
  const categories = await categoryIds(server.base, token);
  // Wider than the tests' page, so the drawer leaves the halting widget's text in view.
  const context = await browser.newContext({ viewport: { width: 1500, height: 860 } });
  const page = await context.newPage();
  await page.goto(`${server.base}/?token=${token}`);
  await waitForImage(page);
  await page.getByTestId('halting-marker').waitFor();
  const queue = await (await fetch(`${server.base}/api/queue`, {
    headers: { Authorization: `Bearer ${token}` },
  })).json();
  console.log(`queue: ${JSON.stringify(queue)}`);
  const shown = await page.evaluate(() => window.__boxloop.imagePath);
  const xmlName = path.basename(shown).replace(/\.[^.]+$/, '.xml');
  const xml = await fs.readFile(path.join(cards, xmlName), 'utf8');
  const first = /<object>([\s\S]*?)<\/object>/.exec(xml)[1];
  const tag = (name) => Number(new RegExp(`<${name}>([^<]*)</${name}>`).exec(first)[1]);
  const name = /<name>([^<]*)<\/name>/.exec(first)[1];
  await page.keyboard.press(categories[name].hotkey);
  await dragImage(page, [tag('xmin'), tag('ymin')], [tag('xmax'), tag('ymax')]);
  await page.getByTestId('loop-status').click();
  // Imported labels are never audit images, so the audit curve may have no line to draw; wait
  // for the curve's answer rather than for a chart.
  await page.locator('[data-testid=learning-curve][data-rounds]').waitFor();
  await page.mouse.move(5, 400);
  await page.waitForTimeout(300);
  await page.screenshot({ path: outPath });
  console.log(`wrote ${outPath}`);
} finally {
  await browser.close();
  await server.stop();
  await removeProject(dir);
}
