import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  LEGACY_PENDING_KEY,
  SaveQueue,
  pendingKey,
  rejectedKey,
  type PendingSave,
  type SaveQueueListener,
} from '../src/save_queue';
import { ApiError, isBusy, isConflict, retryAfterMs } from '../src/api';
import type { SavePayload } from '../src/types';
import { FakeServer, ManualTimers, MemoryStorage, settle } from './fakes';

const save = (image_id: number, version = 0, category_id = 1) => ({
  image_id,
  kind: 'labels' as const,
  payload: { version, boxes: [{ category_id, x: 1, y: 2, w: 3, h: 4 }], comment: '' },
});

function listener() {
  return {
    onCountChange: vi.fn<SaveQueueListener['onCountChange']>(),
    onConflict: vi.fn<SaveQueueListener['onConflict']>(),
    onRejected: vi.fn<SaveQueueListener['onRejected']>(),
    onUnauthorized: vi.fn<SaveQueueListener['onUnauthorized']>(),
    onStorageFailed: vi.fn<SaveQueueListener['onStorageFailed']>(),
  };
}

let server: FakeServer;
let storage: MemoryStorage;
let timers: ManualTimers;
let heard: ReturnType<typeof listener>;
let queue: SaveQueue;

beforeEach(() => {
  server = new FakeServer(5);
  storage = new MemoryStorage();
  timers = new ManualTimers();
  heard = listener();
  queue = new SaveQueue(server, heard, storage, timers);
  queue.setUser('alice');
});

const stored = (user: string): PendingSave[] =>
  JSON.parse(storage.get(pendingKey(user)) ?? '[]') as PendingSave[];

describe('SaveQueue', () => {
  it('sends a save and answers it through the promise only', async () => {
    const outcome = await queue.submit(save(1));
    expect(outcome.kind).toBe('saved');
    expect(server.images.get(1)!.data.annotations).toHaveLength(1);
    expect(queue.size).toBe(0);
    expect(stored('alice')).toEqual([]);
    expect(heard.onCountChange).toHaveBeenLastCalledWith(0);
    expect(heard.onConflict).not.toHaveBeenCalled();
  });

  it('keeps a save it cannot send, stored before sending, and sends it on the retry', async () => {
    server.offline = true;
    const outcome = await queue.submit(save(2));
    expect(outcome).toEqual({ kind: 'queued' });
    expect(stored('alice').map((e) => e.image_id)).toEqual([2]);
    expect(heard.onCountChange).toHaveBeenLastCalledWith(1);
    expect(timers.pending).toBe(1);

    timers.run(); // still offline: tried again, with a longer wait next time
    await settle();
    expect(timers.delays).toEqual([1000, 2000]);
    server.offline = false;
    timers.run();
    await settle();
    expect(queue.size).toBe(0);
    expect(server.images.get(2)!.data.image.status).toBe('labeled');
    expect(heard.onCountChange).toHaveBeenLastCalledWith(0);
  });

  it('a conflict on an awaited save answers the promise and not the listener', async () => {
    server.saveBehindTheBack(3, 5);
    const outcome = await queue.submit(save(3, 0));
    expect(outcome.kind).toBe('conflict');
    if (outcome.kind !== 'conflict') return;
    expect(outcome.current.image.version).toBe(1);
    expect(heard.onConflict).not.toHaveBeenCalled();
    expect(queue.pending[0]?.conflict).toBeDefined();

    // Keeping mine sends it again on top of the other version.
    const again = await queue.resolveConflict(outcome.id, 'mine');
    expect(again?.kind).toBe('saved');
    expect(server.routes('save').at(-1)?.payload?.version).toBe(1);
    expect(server.images.get(3)!.data.annotations[0]?.category_id).toBe(1);
    expect(heard.onConflict).not.toHaveBeenCalled();
  });

  it('taking theirs drops the save without sending it', async () => {
    server.saveBehindTheBack(3, 5);
    const outcome = await queue.submit(save(3, 0));
    if (outcome.kind !== 'conflict') throw new Error('expected a conflict');
    expect(await queue.resolveConflict(outcome.id, 'theirs')).toBeNull();
    expect(queue.size).toBe(0);
    expect(server.routes('save')).toHaveLength(1);
    expect(server.images.get(3)!.data.annotations[0]?.category_id).toBe(5);
  });

  it('a conflict on a background save goes to the listener, once', async () => {
    server.offline = true;
    await queue.submit(save(3, 0));
    server.saveBehindTheBack(3, 5);
    server.offline = false;
    await queue.flush();
    await queue.flush();
    expect(heard.onConflict).toHaveBeenCalledTimes(1);
    expect(heard.onConflict.mock.calls[0]?.[0].image_id).toBe(3);
    expect(queue.size).toBe(1); // waits for the labeler's choice
  });

  it('a 401 on an awaited save asks the caller, and resumeFor sends it after the login', async () => {
    server.loggedOut = true;
    const outcome = await queue.submit(save(1));
    expect(outcome.kind).toBe('unauthorized');
    expect(heard.onUnauthorized).not.toHaveBeenCalled();
    // Paused: nothing goes out until resumed.
    await queue.flush();
    expect(server.routes('save')).toHaveLength(1);
    server.loggedOut = false;
    if (outcome.kind !== 'unauthorized') return;
    expect((await queue.resumeFor(outcome.id)).kind).toBe('saved');
    expect(server.routes('save')).toHaveLength(2);
  });

  it('a 401 on a background save tells the listener', async () => {
    server.offline = true;
    await queue.submit(save(1));
    server.offline = false;
    server.loggedOut = true;
    await queue.flush();
    expect(heard.onUnauthorized).toHaveBeenCalledTimes(1);
    server.loggedOut = false;
    await queue.resume();
    expect(queue.size).toBe(0);
  });

  it('a save refused for good is set aside under the user and reported to the awaiting caller', async () => {
    const refusing = {
      saveLabels: () => Promise.reject(new ApiError(422, 'bad_box', 'box outside the image', {})),
      skip: () => Promise.reject(new Error('unused')),
    };
    const q = new SaveQueue(refusing, heard, storage, timers);
    q.setUser('alice');
    const outcome = await q.submit(save(1));
    expect(outcome.kind).toBe('rejected');
    expect(heard.onRejected).not.toHaveBeenCalled();
    expect(q.size).toBe(0);
    const aside = JSON.parse(storage.get(rejectedKey('alice'))!) as PendingSave[];
    expect(aside.map((e) => e.image_id)).toEqual([1]);
  });

  it('a busy server (503) is sent again after its Retry-After, never reported as a conflict', async () => {
    let busy = 2;
    const sometimesBusy = {
      saveLabels: (id: number, payload: SavePayload) =>
        busy-- > 0
          ? Promise.reject(new ApiError(503, 'busy', 'database is locked', {}, 3000))
          : server.saveLabels(id, payload),
      skip: () => Promise.reject(new Error('unused')),
    };
    const q = new SaveQueue(sometimesBusy, heard, storage, timers);
    q.setUser('alice');
    const outcome = await q.submit(save(1));
    expect(outcome).toEqual({ kind: 'queued' });
    expect(heard.onConflict).not.toHaveBeenCalled();
    expect(heard.onRejected).not.toHaveBeenCalled();
    expect(stored('alice').map((e) => e.image_id)).toEqual([1]);
    // The server's wait when longer than the backoff (1 s, then 2 s), the backoff when longer.
    expect(timers.delays).toEqual([3000]);
    timers.run();
    await settle();
    expect(timers.delays).toEqual([3000, 3000]);
    timers.run();
    await settle();
    expect(q.size).toBe(0);
    expect(server.images.get(1)!.data.image.status).toBe('labeled');
    expect(heard.onConflict).not.toHaveBeenCalled();
  });

  it('a newer save of the same image replaces an unsent one', async () => {
    server.offline = true;
    await queue.submit(save(4, 0, 1));
    await queue.submit(save(4, 0, 2));
    expect(queue.pending.map((e) => e.payload.boxes[0]?.category_id)).toEqual([2]);
  });

  it('skips send only the version, the comment and the effort', async () => {
    const outcome = await queue.submit({
      image_id: 5,
      kind: 'skip',
      payload: { version: 0, boxes: [], comment: 'blurry', effort: { active_seconds: 4.5, rejected: 2 } },
    });
    expect(outcome.kind).toBe('saved');
    expect(server.routes('skip')[0]?.payload).toEqual({
      version: 0,
      boxes: [],
      comment: 'blurry',
      effort: { active_seconds: 4.5, rejected: 2 },
    });
    expect(server.images.get(5)!.data.image.status).toBe('skipped');
  });

  it('says when the browser refuses to store the saves', async () => {
    storage.refuse = true;
    await queue.submit(save(1));
    expect(heard.onStorageFailed).toHaveBeenCalled();
  });
});

describe('SaveQueue per user', () => {
  it('keeps each user’s unsent saves apart and sends them only as that user', async () => {
    server.offline = true;
    await queue.submit(save(1));
    expect(stored('alice')).toHaveLength(1);

    const triedBefore = server.routes('save').length; // the offline attempt
    // Bob logs in on the same browser: alice's save is not his to send.
    queue.setUser('bob');
    expect(queue.size).toBe(0);
    server.offline = false;
    await queue.submit(save(2));
    timers.run();
    await settle();
    expect(server.routes('save').slice(triedBefore).map((c) => c.id)).toEqual([2]);
    expect(server.images.get(1)!.data.image.status).toBe('unlabeled');
    expect(stored('alice')).toHaveLength(1);

    // Alice again: her save goes out.
    queue.setUser('alice');
    expect(queue.size).toBe(1);
    await queue.flush();
    expect(server.images.get(1)!.data.image.status).toBe('labeled');
    expect(stored('alice')).toEqual([]);
  });

  it('holds nothing and sends nothing before a user is known', async () => {
    const q = new SaveQueue(server, heard, storage, timers);
    await expect(q.submit(save(1))).rejects.toThrow(/setUser/);
    await q.flush();
    expect(server.calls).toEqual([]);
  });

  it('saves stored before they were kept per user go to the first user who logs in, once', () => {
    const legacy: PendingSave = {
      id: 'old-1',
      image_id: 2,
      kind: 'labels',
      payload: { version: 0, boxes: [], comment: '' },
      queued_at: '',
    };
    storage.set(LEGACY_PENDING_KEY, JSON.stringify([legacy]));
    const q = new SaveQueue(server, heard, storage, timers);
    q.setUser('carol');
    expect(q.pending.map((e) => e.id)).toEqual(['old-1']);
    expect(storage.get(LEGACY_PENDING_KEY)).toBeNull();
    expect(stored('carol').map((e) => e.id)).toEqual(['old-1']);
    q.setUser('dave');
    expect(q.size).toBe(0);
  });

  it('user names are escaped in storage keys', () => {
    expect(pendingKey('a.b c')).toBe('boxloop.pending.a.b%20c');
    expect(pendingKey('x')).not.toBe(pendingKey('x/'));
  });
});

describe('busy answers', () => {
  it('read Retry-After in seconds, and a 503 is busy, not a conflict', () => {
    expect(retryAfterMs('1')).toBe(1000);
    expect(retryAfterMs(' 2 ')).toBe(2000);
    expect(retryAfterMs(null)).toBeNull();
    expect(retryAfterMs('Wed, 21 Oct 2026 07:28:00 GMT')).toBeNull();
    const busy = new ApiError(503, 'busy', 'database is locked', {}, 1000);
    expect(isBusy(busy)).toBe(true);
    expect(isConflict(busy)).toBe(false);
  });
});
