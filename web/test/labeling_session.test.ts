import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../src/api';
import { boxesFromAnnotations } from '../src/box_model';
import { LabelingSession, type Step } from '../src/labeling_session';
import { SaveQueue } from '../src/save_queue';
import { BitmapLedger, FakeBitmap, FakeServer, ManualTimers, MemoryStorage, settle } from './fakes';

const LEASE_MS = 300_000;
const box = { category_id: 1, x: 1, y: 2, w: 3, h: 4 };

let server: FakeServer;
let ledger: BitmapLedger;
let queue: SaveQueue;
let clock: number;
let login: ReturnType<typeof vi.fn<(reason: string) => Promise<void>>>;
let waits: number[];
let offline: number;
let session: LabelingSession<FakeBitmap>;

beforeEach(() => {
  server = new FakeServer(6);
  ledger = new BitmapLedger();
  const quiet = {
    onCountChange: () => undefined,
    onConflict: () => undefined,
    onRejected: () => undefined,
    onUnauthorized: () => undefined,
    onStorageFailed: () => undefined,
  };
  queue = new SaveQueue(server, quiet, new MemoryStorage(), new ManualTimers());
  queue.setUser('alice');
  clock = 1_000_000;
  waits = [];
  offline = 0;
  login = vi.fn(() => {
    server.loggedOut = false;
    return Promise.resolve();
  });
  session = new LabelingSession<FakeBitmap>({
    next: (exclude) => server.next(exclude),
    previous: (before) => server.previous(before),
    decode: (id) => ledger.decode(id),
    saves: queue,
    login,
    waitForNetwork: (delayMs) => {
      waits.push(delayMs);
      if (waits.length >= 2) server.offline = false;
      return Promise.resolve();
    },
    onOffline: () => offline++,
    now: () => clock,
    leaseMs: () => LEASE_MS,
  });
});

function shownId(step: Step<FakeBitmap> | null): number | null {
  return step?.kind === 'show' ? step.image.data.image.id : null;
}

// Every decoded bitmap is held by the image shown, a stashed one or the prefetch, or released.
async function expectNoLeak(): Promise<void> {
  await settle();
  const held = [
    session.current?.data.image.id,
    ...session.stashedIds,
    session.prefetchedId,
  ].filter((id): id is number => typeof id === 'number');
  expect(ledger.live()).toEqual(held.sort((a, b) => a - b));
  expect(ledger.releasedTwice()).toEqual([]);
}

async function saveAndNext(): Promise<number | null> {
  const result = await session.save('labels', [box], '');
  if (result.kind !== 'moved') throw new Error(`expected to move on, got ${result.kind}`);
  return shownId(result.step);
}

describe('LabelingSession navigation', () => {
  it('shows the first image, fetches the next ahead and shows it on save', async () => {
    expect(shownId(await session.advance())).toBe(1);
    await settle();
    expect(session.prefetchedId).toBe(2);
    // The prefetch asked past the image shown.
    expect(server.routes('next')[1]?.exclude).toEqual([1]);
    const nextCalls = server.routes('next').length;
    expect(await saveAndNext()).toBe(2);
    expect(server.routes('next')).toHaveLength(nextCalls + 1); // only the new prefetch
    await expectNoLeak();
  });

  it('does not ask for images waiting to be saved', async () => {
    await session.advance();
    server.offline = true;
    const result = await session.save('labels', [box], '');
    // Offline: the prefetched image is shown at once and the save waits.
    expect(result.kind).toBe('moved');
    if (result.kind === 'moved') expect(result.queued).toBe(true);
    expect(shownId(result.kind === 'moved' ? result.step : null)).toBe(2);
    server.offline = false;
    await settle();
    // 2 is shown; its prefetch asked past it and past the unsent save of 1.
    expect(session.current?.data.image.id).toBe(2);
    expect(server.routes('next').at(-1)?.exclude).toEqual(expect.arrayContaining([1, 2]));
  });

  it('going back stashes the edits, keeps the prefetch, and releases nothing twice', async () => {
    await session.advance(); // 1
    await saveAndNext(); // 2
    await settle();
    expect(session.prefetchedId).toBe(3);
    const edits = { boxes: boxesFromAnnotations([]), comment: 'half done' };
    const back = await session.back(edits);
    expect(shownId(back)).toBe(1);
    expect(session.stashedIds).toEqual([2]);
    expect(session.prefetchedId).toBe(3); // still owned, not leaked nor dropped
    await expectNoLeak();

    // Saving the earlier image returns to the stashed one with its edits…
    const result = await session.save('labels', [box], '');
    expect(result.kind).toBe('moved');
    if (result.kind !== 'moved' || result.step.kind !== 'show') throw new Error('expected an image');
    expect(result.step.image.data.image.id).toBe(2);
    expect(result.step.edits?.comment).toBe('half done');
    await expectNoLeak();
    // …and the one after it is the prefetch made before going back.
    const nextCalls = server.routes('next').length;
    expect(await saveAndNext()).toBe(3);
    expect(server.routes('next')).toHaveLength(nextCalls + 1);
    await expectNoLeak();
  });

  it('going back twice and forward again leaks no decoded image', async () => {
    await session.advance();
    await saveAndNext(); // 2 shown, 1 saved
    await saveAndNext(); // 3 shown, 2 saved
    const none = { boxes: [], comment: '' };
    expect(shownId(await session.back(none))).toBe(2);
    expect(shownId(await session.back(none))).toBe(1);
    expect(session.stashedIds).toEqual([3, 2]);
    await expectNoLeak();
    expect(await saveAndNext()).toBe(2);
    expect(await saveAndNext()).toBe(3);
    expect(await saveAndNext()).toBe(4);
    await expectNoLeak();
  });

  it('says when there is no earlier image', async () => {
    await session.advance();
    expect(await session.back({ boxes: [], comment: '' })).toBeNull();
    expect(session.current?.data.image.id).toBe(1);
  });

  it('a new queue drops the prefetched image, holds it back for its lease, and fetches anew', async () => {
    await session.advance(); // 1, prefetch 2
    await settle();
    server.order = [1, 5, 2, 3, 4, 6];
    await session.replaceQueue();
    await settle();
    expect(session.heldBackIds).toEqual([2]);
    expect(session.prefetchedId).toBe(5);
    expect(server.routes('next').at(-1)?.exclude).toEqual([1, 2]);
    expect(session.current?.data.image.id).toBe(1); // the image being edited stays
    await expectNoLeak();
    expect(await saveAndNext()).toBe(5);

    // Once the lease ran out the held-back image may come again.
    clock += LEASE_MS + 1;
    expect(await saveAndNext()).toBe(3); // prefetched while 2 was still held back
    await settle();
    expect(session.prefetchedId).toBe(2);
    expect(session.heldBackIds).toEqual([]);
  });

  it('a new queue does not drop an image advance is already waiting for', async () => {
    const [first, prefetch] = server.holdNext(2);
    first!.resolve();
    await session.advance(); // 1 shown; the prefetch of 2 waits
    const moved = saveAndNext(); // takes the prefetch and waits for it
    await settle();
    await session.replaceQueue();
    prefetch!.resolve();
    expect(await moved).toBe(2);
    await settle();
    expect(session.heldBackIds).toEqual([]);
    expect(session.prefetchedId).toBe(3);
    await expectNoLeak();
  });

  it('a prefetch still in flight when the queue changes is released when it lands', async () => {
    const [first, prefetch] = server.holdNext(2);
    first!.resolve();
    await session.advance();
    const replaced = session.replaceQueue();
    prefetch!.resolve();
    await replaced;
    await settle();
    expect(session.heldBackIds).toEqual([2]);
    expect(session.prefetchedId).toBe(3);
    await expectNoLeak();
  });

  it('ends with nothing shown and nothing held when the queue is empty', async () => {
    for (const s of server.images.values()) s.data.image.status = 'labeled';
    server.images.get(6)!.data.image.status = 'unlabeled';
    expect(shownId(await session.advance())).toBe(6);
    const result = await session.save('labels', [box], '');
    expect(result.kind === 'moved' && result.step.kind).toBe('done');
    expect(session.current).toBeNull();
    await expectNoLeak();
    expect(ledger.live()).toEqual([]);
  });

  it('waits for the network when the next image cannot be fetched', async () => {
    await session.advance();
    await settle();
    // The prefetch failed while offline.
    server.offline = true;
    await session.replaceQueue();
    await settle();
    const step = await saveAndNext();
    expect(offline).toBe(1);
    expect(waits).toEqual([1000, 2000]);
    expect(step).not.toBeNull();
    await expectNoLeak();
  });

  it('dispose releases every image it holds', async () => {
    await session.advance();
    await saveAndNext();
    await session.back({ boxes: [], comment: '' });
    await settle();
    session.dispose();
    await settle();
    expect(ledger.live()).toEqual([]);
    expect(ledger.releasedTwice()).toEqual([]);
  });
});

describe('LabelingSession saving', () => {
  it('saves the version of the image shown, and a skip without boxes', async () => {
    await session.advance();
    await session.save('labels', [box], 'ok');
    expect(server.routes('save')[0]?.payload).toEqual({ version: 0, boxes: [box], comment: 'ok' });
    await session.save('skip', [box], 'blurry');
    expect(server.routes('skip')[0]).toMatchObject({ id: 2, payload: { version: 0, comment: 'blurry' } });
  });

  it('a conflict stays on the image; taking theirs moves it to their version', async () => {
    await session.advance();
    server.saveBehindTheBack(1, 4);
    const result = await session.save('labels', [box], '');
    expect(result.kind).toBe('conflict');
    if (result.kind !== 'conflict') return;
    expect(session.current?.data.image.id).toBe(1);
    expect(session.takeTheirs(result.id, result.current)).toBe(true);
    expect(session.current?.data.image.version).toBe(1);
    expect(session.current?.data.annotations.map((a) => a.category_id)).toEqual([4]);
    await settle();
    expect(queue.size).toBe(0);
    // The next save names their version, so it is not refused again.
    expect(await saveAndNext()).toBe(2);
    expect(server.routes('save').at(-1)?.payload?.version).toBe(1);
  });

  it('keeping mine after a conflict saves on top of theirs and moves on, once', async () => {
    await session.advance();
    server.saveBehindTheBack(1, 4);
    const result = await session.save('labels', [box], '');
    if (result.kind !== 'conflict') throw new Error('expected a conflict');
    const mine = await session.keepMine(result.id);
    expect(mine.kind).toBe('moved');
    expect(server.images.get(1)!.data.image.version).toBe(2);
    expect(server.routes('save')).toHaveLength(2);
    expect(await session.keepMine(result.id)).toEqual({ kind: 'none' });
  });

  it('a lost session asks for a login and sends the same save after it, once', async () => {
    await session.advance();
    server.loggedOut = true;
    const result = await session.save('labels', [box], '');
    expect(login).toHaveBeenCalledTimes(1);
    expect(login.mock.calls[0]?.[0]).toMatch(/unsaved boxes are kept/);
    expect(result.kind).toBe('moved');
    const saves = server.routes('save').filter((c) => c.id === 1);
    expect(saves).toHaveLength(2); // refused, then sent after the login
    expect(server.images.get(1)!.data.image.version).toBe(1);
  });

  it('a prefetch refused for a lost session: the next image is asked again after a login', async () => {
    await session.advance();
    await settle();
    server.refuseNext = 2; // the new prefetch, then the first retry
    server.order = [1, 4, 2, 3, 5, 6];
    await session.replaceQueue();
    await settle();
    expect(await saveAndNext()).toBe(4);
    expect(login).toHaveBeenCalledTimes(1);
    await expectNoLeak();
  });

  it('going back with a lost session asks for a login, then goes back', async () => {
    await session.advance();
    await saveAndNext();
    server.loggedOut = true;
    expect(shownId(await session.back({ boxes: [], comment: '' }))).toBe(1);
    expect(login).toHaveBeenCalledWith('Your session ended. Log in again.');
  });

  it('a refused save stays on the image', async () => {
    await session.advance();
    const refusing = new LabelingSession<FakeBitmap>({
      next: (exclude) => server.next(exclude),
      previous: (before) => server.previous(before),
      decode: (id) => ledger.decode(id),
      saves: {
        pending: [],
        submit: () =>
          Promise.resolve({ kind: 'rejected', error: new ApiError(422, 'bad_box', 'no', {}) }),
        resumeFor: () => Promise.reject(new Error('unused')),
        resume: () => Promise.resolve(),
        resolveConflict: () => Promise.resolve(null),
      },
      login,
      waitForNetwork: () => Promise.resolve(),
      onOffline: () => undefined,
      now: () => clock,
      leaseMs: () => LEASE_MS,
    });
    await refusing.advance();
    const shown = refusing.current?.data.image.id;
    expect((await refusing.save('labels', [box], '')).kind).toBe('rejected');
    expect(refusing.current?.data.image.id).toBe(shown);
  });

  it('with nothing shown there is nothing to save', async () => {
    expect(await session.save('labels', [box], '')).toEqual({ kind: 'none' });
    expect(server.routes('save')).toEqual([]);
  });
});
