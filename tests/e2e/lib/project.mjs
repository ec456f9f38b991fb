// Makes a throwaway project with the boxloop CLI and runs `boxloop serve` on it for one test file.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
export const WEB_ROOT = path.resolve(here, '../../../web/dist');
export const CATEGORIES = ['nine', 'ten', 'jack', 'queen', 'king', 'ace'];
export const PASSWORDS = { alice: 'alice-secret-1', bob: 'bob-secret-2', carol: 'carol-secret-3' };
// Everyone is a labeler but carol, who may also configure and train.
export const ROLES = { alice: 'labeler', bob: 'labeler', carol: 'admin' };

export function binary() {
  const bin = process.env.BOXLOOP_BINARY;
  if (!bin) throw new Error('set BOXLOOP_BINARY to the built boxloop CLI (the Makefile does)');
  return bin;
}

export async function cli(...args) {
  try {
    return await run(binary(), args, { timeout: 120000 });
  } catch (error) {
    throw new Error(`boxloop ${args.join(' ')} failed: ${error.stderr || error.message}`);
  }
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// A project of `count` synthetic card images with users alice and bob (labelers) and carol
// (admin). Returns { dir, project, images }: `images` holds the generated JPEGs with their VOC files.
export async function makeProject({ count = 8, seed = 1 } = {}) {
  await fs.access(path.join(WEB_ROOT, 'index.html')).catch(() => {
    throw new Error(`the page is not built (${WEB_ROOT}); run: cd web && npm ci && npm run build`);
  });
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'boxloop-e2e-'));
  const project = path.join(dir, 'P');
  const images = path.join(dir, 'synth');
  await cli('init', project, '--categories', CATEGORIES.join(','));
  await cli('synth', images, '--count', String(count), '--seed', String(seed));
  await cli('import', project, images);
  for (const [name, password] of Object.entries(PASSWORDS)) {
    await cli('user', 'add', project, name, '--role', ROLES[name], '--password', password);
  }
  return { dir, project, images };
}

// Starts `boxloop serve` and waits until it answers. Returns { base, stop }.
export async function startServer(project) {
  const port = await freePort();
  const child = spawn(
    binary(),
    ['serve', project, '--port', String(port), '--web-root', WEB_ROOT],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`boxloop serve exited early:\n${output}`);
    try {
      const response = await fetch(`${base}/api/me`);
      if (response.status === 401 || response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`boxloop serve did not answer within 20 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

export async function removeProject(dir) {
  if (dir) await fs.rm(dir, { recursive: true, force: true });
}
