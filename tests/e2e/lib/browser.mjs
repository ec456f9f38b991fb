// Debian's Chromium driven by playwright-core, plus helpers that act on the page the way a user
// does (mouse, keys) and read its state through window.__boxloop.
import { chromium } from 'playwright-core';

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

export async function newLabelerPage(browser, base) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error));
  page.errors = errors;
  await page.goto(base);
  return { context, page };
}

// Logs in through the form the page shows for a project with users.
export async function loginWithForm(page, name, password) {
  await page.getByTestId('login-name').fill(name);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('login').waitFor({ state: 'hidden' });
}

export function state(page) {
  return page.evaluate(() => {
    const s = window.__boxloop;
    return {
      imageId: s.imageId,
      version: s.version,
      boxes: s.boxes,
      selected: s.selected,
      unsaved: s.unsaved,
      busy: s.busy,
      user: s.user,
    };
  });
}

// Waits until an image is shown and the page is idle; returns its id.
export async function waitForImage(page, notId = null) {
  await page.waitForFunction(
    (not) => window.__boxloop && window.__boxloop.imageId !== null && window.__boxloop.imageId !== not && !window.__boxloop.busy,
    notId,
  );
  return page.evaluate(() => window.__boxloop.imageId);
}

export function toClient(page, x, y) {
  return page.evaluate(([ix, iy]) => window.__boxloop.toClient(ix, iy), [x, y]);
}

// Drags with the mouse between two points given in image pixels.
export async function dragImage(page, from, to) {
  const a = await toClient(page, from[0], from[1]);
  const b = await toClient(page, to[0], to[1]);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 4 });
  await page.mouse.move(b.x, b.y, { steps: 4 });
  await page.mouse.up();
}

export async function clickImage(page, x, y) {
  const p = await toClient(page, x, y);
  await page.mouse.click(p.x, p.y);
}
