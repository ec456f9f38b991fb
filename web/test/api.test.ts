import { afterEach, describe, expect, it, vi } from 'vitest';
import { Api, ApiError, BUSY_READ_ATTEMPTS } from '../src/api';

function busy(retryAfter: string | null): Response {
  const headers = new Headers({ 'Content-Type': 'application/json' });
  if (retryAfter !== null) headers.set('Retry-After', retryAfter);
  return new Response(JSON.stringify({ error: { code: 'busy', message: 'database is locked' } }), {
    status: 503,
    headers,
  });
}

function ok(body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status: 200,
    headers: { 'Content-Type': 'application/json' },
  });
}

describe('Api on a busy server (503)', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('sends a read again after the wait the server asks for', async () => {
    const answers = [busy('2'), busy(null), ok({ image: null })];
    const fetch = vi.fn(() => Promise.resolve(answers.shift() as Response));
    vi.stubGlobal('fetch', fetch);
    const waits: number[] = [];
    const api = new Api(
      () => null,
      (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    );
    await expect(api.next([])).resolves.toBeNull();
    expect(fetch).toHaveBeenCalledTimes(3);
    expect(waits).toEqual([2000, 1000]);
  });

  it('gives up on a read after a bounded number of attempts', async () => {
    const fetch = vi.fn(() => Promise.resolve(busy('1')));
    vi.stubGlobal('fetch', fetch);
    const api = new Api(
      () => null,
      () => Promise.resolve(),
    );
    const error = await api.next([]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(503);
    expect(fetch).toHaveBeenCalledTimes(BUSY_READ_ATTEMPTS);
  });

  it('never repeats a write itself (the save queue does, keeping it across reloads)', async () => {
    const fetch = vi.fn(() => Promise.resolve(busy('1')));
    vi.stubGlobal('fetch', fetch);
    const api = new Api(
      () => null,
      () => Promise.resolve(),
    );
    const error = await api.skip(1, 1, '').catch((e: unknown) => e);
    expect((error as ApiError).status).toBe(503);
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});
