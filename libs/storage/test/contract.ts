/**
 * The object-store contract: ONE suite that every driver must pass (fs.int-spec.ts, s3.int-spec.ts).
 * Anything a caller may rely on belongs here; driver-specific behaviour lives in the driver's spec.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

import {
  InvalidKeyError,
  InvalidRangeError,
  InvalidRetentionError,
  ObjectLockedError,
  ObjectNotFoundError,
  RetentionShortenError,
  type ObjectStat,
  type ObjectStore,
} from '@archive/storage';

export interface ContractHarness {
  store: ObjectStore;
  /** every key of the run lives under this prefix (ends with '/') */
  prefix: string;
  /** called once at the end with the latest retain-until any test set */
  dispose(latestRetainUntil: Date | null): Promise<void>;
}

export interface ContractOptions {
  /** size of the bounded-memory stream test (default 80 MiB) */
  bigStreamBytes?: number;
  /** allowed RSS growth during that test (default half the stream) */
  maxRssGrowthBytes?: number;
}

export const MiB = 1024 * 1024;

export function sha256(buf: Buffer | string): string {
  return createHash('sha256').update(buf).digest('hex');
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks);
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** a Readable of `total` bytes made on the fly (never held whole), with its expected sha256 */
export function generatedStream(total: number, chunk = 256 * 1024): { stream: Readable; digest: () => string } {
  const h = createHash('sha256');
  let sent = 0;
  let n = 0;
  const stream = new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const len = Math.min(chunk, total - sent);
      const buf = Buffer.alloc(len, (n++ * 37) & 0xff);
      buf.writeUInt32BE(n, 0); // not all-equal chunks, so misordered parts would be caught
      h.update(buf);
      sent += len;
      this.push(buf);
    },
  });
  let hex: string | undefined;
  return { stream, digest: () => (hex ??= h.digest('hex')) };
}

/** a stream that emits `bytes` then fails, like a client that disconnects mid-upload */
export function failingStream(bytes: number, message = 'client went away'): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(Buffer.alloc(bytes, 7));
        return;
      }
      setImmediate(() => this.destroy(new Error(message)));
    },
  });
}

export function runObjectStoreContract(name: string, setup: () => Promise<ContractHarness>, options: ContractOptions = {}): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let h: ContractHarness;
    let store: ObjectStore;
    let latestRetention: Date | null = null;
    const k = (s: string) => `${h.prefix}${s}`;
    /** a retain-until `sec` seconds from now, remembered so cleanup can wait for it */
    const retainFor = (sec: number) => {
      const d = new Date(Date.now() + sec * 1000);
      if (!latestRetention || d > latestRetention) latestRetention = d;
      return d;
    };

    beforeAll(async () => {
      h = await setup();
      store = h.store;
      await store.ensureReady();
    });
    afterAll(async () => {
      if (h) await h.dispose(latestRetention);
    });

    it('is ready, idempotently, and reports WORM enforcement', async () => {
      await store.ensureReady();
      await store.ping();
      expect(store.objectLock).toBe(true);
    });

    // ---- WORM first: their short retentions must not expire before the assertions ----

    it('a COMPLIANCE-retained object cannot be removed; retention reads back and cannot be shortened', async () => {
      const key = k('worm/compliance.pdf');
      const until = retainFor(12);
      const put = await store.put(key, Buffer.from('signed pdf'), { retainUntil: until, retentionMode: 'COMPLIANCE' });
      const r = await store.getRetention(key);
      expect(r?.mode).toBe('COMPLIANCE');
      expect(Math.abs(r!.until.getTime() - until.getTime())).toBeLessThan(1000);
      await expect(store.remove(key)).rejects.toBeInstanceOf(ObjectLockedError);
      await expect(store.remove(key, { bypassGovernance: true })).rejects.toBeInstanceOf(ObjectLockedError);
      // shortening, or weakening to GOVERNANCE, is refused
      await expect(store.setRetention(key, new Date(until.getTime() - 5000), 'COMPLIANCE')).rejects.toBeInstanceOf(RetentionShortenError);
      await expect(store.setRetention(key, retainFor(14), 'GOVERNANCE')).rejects.toBeInstanceOf(RetentionShortenError);
      await expect(store.setRetention(key, new Date(until.getTime() - 5000), 'COMPLIANCE', { bypassGovernance: true })).rejects.toBeInstanceOf(
        RetentionShortenError,
      );
      // extending is allowed
      const longer = retainFor(14);
      await store.setRetention(key, longer, 'COMPLIANCE', put.versionId ? { versionId: put.versionId } : {});
      const r2 = await store.getRetention(key);
      expect(Math.abs(r2!.until.getTime() - longer.getTime())).toBeLessThan(1000);
      // still there, bytes intact
      expect((await readAll(await store.get(key))).toString()).toBe('signed pdf');
    });

    it('a held object cannot be removed until the hold is lifted', async () => {
      const key = k('worm/held.pdf');
      await store.put(key, Buffer.from('evidence'), { legalHold: true });
      expect(await store.getLegalHold(key)).toBe(true);
      await expect(store.remove(key)).rejects.toBeInstanceOf(ObjectLockedError);
      await expect(store.remove(key, { bypassGovernance: true })).rejects.toBeInstanceOf(ObjectLockedError);
      await store.setLegalHold(key, false);
      expect(await store.getLegalHold(key)).toBe(false);
      await store.remove(key);
      expect(await store.stat(key)).toBeNull();
    });

    it('a hold set later also blocks removal, and reads back', async () => {
      const key = k('worm/held-later.pdf');
      await store.put(key, Buffer.from('x'));
      expect(await store.getLegalHold(key)).toBe(false);
      await store.setLegalHold(key, true);
      expect(await store.getLegalHold(key)).toBe(true);
      await expect(store.remove(key)).rejects.toMatchObject({ reason: 'legal-hold' });
      await store.setLegalHold(key, false);
      await store.remove(key);
    });

    it('GOVERNANCE retention blocks removal unless bypassed; it may be raised to COMPLIANCE', async () => {
      const key = k('worm/governance.pdf');
      const until = retainFor(12);
      await store.put(key, Buffer.from('g'), { retainUntil: until, retentionMode: 'GOVERNANCE' });
      expect((await store.getRetention(key))?.mode).toBe('GOVERNANCE');
      await expect(store.remove(key)).rejects.toBeInstanceOf(ObjectLockedError);
      await expect(store.setRetention(key, new Date(until.getTime() - 5000), 'GOVERNANCE')).rejects.toBeInstanceOf(RetentionShortenError);
      const extended = retainFor(13); // extending GOVERNANCE needs no bypass
      await store.setRetention(key, extended, 'GOVERNANCE');
      expect(Math.abs((await store.getRetention(key))!.until.getTime() - extended.getTime())).toBeLessThan(1000);
      await store.remove(key, { bypassGovernance: true });
      expect(await store.stat(key)).toBeNull();

      const key2 = k('worm/governance-raised.pdf');
      await store.put(key2, Buffer.from('g2'), { retainUntil: retainFor(12), retentionMode: 'GOVERNANCE' });
      await store.setRetention(key2, retainFor(13), 'COMPLIANCE');
      expect((await store.getRetention(key2))?.mode).toBe('COMPLIANCE');
      await expect(store.remove(key2, { bypassGovernance: true })).rejects.toBeInstanceOf(ObjectLockedError);
    });

    it('retention set after the put protects the object too', async () => {
      const key = k('worm/later.pdf');
      await store.put(key, Buffer.from('later'));
      expect(await store.getRetention(key)).toBeNull();
      await store.setRetention(key, retainFor(12), 'COMPLIANCE');
      await expect(store.remove(key)).rejects.toBeInstanceOf(ObjectLockedError);
    });

    it('overwriting a retained key never loses the retained bytes', async () => {
      const key = k('worm/overwrite.pdf');
      const first = await store.put(key, Buffer.from('original'), { retainUntil: retainFor(12) });
      let second;
      try {
        second = await store.put(key, Buffer.from('replacement'));
      } catch (e) {
        expect(e).toBeInstanceOf(ObjectLockedError); // fs: no versions, so the overwrite is refused
      }
      const original = await store.get(key, first.versionId ? { versionId: first.versionId } : {});
      expect((await readAll(original)).toString()).toBe('original');
      if (second) expect(second.versionId).not.toBe(first.versionId); // s3: a new version beside the retained one
    });

    it('retention expires: removal is allowed afterwards', async () => {
      const key = k('worm/expiring.pdf');
      const until = new Date(Date.now() + 2500);
      await store.put(key, Buffer.from('short'), { retainUntil: until });
      await expect(store.remove(key)).rejects.toBeInstanceOf(ObjectLockedError);
      await new Promise((r) => setTimeout(r, until.getTime() - Date.now() + 1200));
      await store.remove(key);
      expect(await store.stat(key)).toBeNull();
    });

    it('rejects invalid retention and lock calls on missing objects', async () => {
      const key = k('worm/invalid.pdf');
      await store.put(key, Buffer.from('i'));
      await expect(store.setRetention(key, new Date(Date.now() - 1000), 'COMPLIANCE')).rejects.toBeInstanceOf(InvalidRetentionError);
      await expect(store.setRetention(key, new Date(NaN), 'COMPLIANCE')).rejects.toBeInstanceOf(InvalidRetentionError);
      await expect(store.setRetention(key, retainFor(5), 'FOREVER' as never)).rejects.toBeInstanceOf(InvalidRetentionError);
      await expect(store.put(k('worm/past.pdf'), Buffer.from('p'), { retainUntil: new Date(Date.now() - 1) })).rejects.toBeInstanceOf(
        InvalidRetentionError,
      );
      expect(await store.stat(k('worm/past.pdf'))).toBeNull();
      const missing = k('worm/missing.pdf');
      await expect(store.setRetention(missing, retainFor(5), 'COMPLIANCE')).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(store.getRetention(missing)).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(store.setLegalHold(missing, true)).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(store.getLegalHold(missing)).rejects.toBeInstanceOf(ObjectNotFoundError);
      await store.remove(key);
    });

    // ---- bytes, metadata, keys ----

    it('put returns sha256/size/versionId; stat and get give the same bytes and metadata back', async () => {
      const key = k('agency/2024/HS-001/docs/quyết định.pdf');
      const body = Buffer.from('%PDF-1.7 hello archive');
      const res = await store.put(key, body, {
        contentType: 'application/pdf',
        metadata: { 'doc-id': 'VB-42', title: 'Quyết định số 12/QĐ-UBND', Signer: 'Nguyễn Văn A' },
      });
      expect(res).toMatchObject({ key, sha256: sha256(body), size: body.length });
      expect(res.versionId === null || typeof res.versionId === 'string').toBe(true);
      const st = await store.stat(key);
      expect(st).toMatchObject<Partial<ObjectStat>>({ key, size: body.length, sha256: sha256(body), contentType: 'application/pdf' });
      expect(st!.versionId).toBe(res.versionId);
      expect(st!.lastModified).toBeInstanceOf(Date);
      expect(Math.abs(st!.lastModified.getTime() - Date.now())).toBeLessThan(120_000);
      expect(st!.metadata).toEqual({ 'doc-id': 'VB-42', title: 'Quyết định số 12/QĐ-UBND', signer: 'Nguyễn Văn A' });
      expect(await readAll(await store.get(key))).toEqual(body);
      if (res.versionId) expect(await readAll(await store.get(key, { versionId: res.versionId }))).toEqual(body);
    });

    it('puts a stream of unknown length', async () => {
      const key = k('stream/small.bin');
      const { stream, digest } = generatedStream(3 * MiB + 123, 64 * 1024);
      const res = await store.put(key, stream);
      expect(res.size).toBe(3 * MiB + 123);
      expect(res.sha256).toBe(digest());
      expect((await store.stat(key))?.sha256).toBe(res.sha256);
      expect(sha256(await readAll(await store.get(key)))).toBe(res.sha256);
    });

    it('stores empty objects', async () => {
      const key = k('empty/zero.bin');
      const res = await store.put(key, Readable.from([]));
      expect(res).toMatchObject({ size: 0, sha256: sha256('') });
      expect((await store.stat(key))?.size).toBe(0);
      expect((await readAll(await store.get(key))).length).toBe(0);
      await expect(store.get(key, { range: { start: 0 } })).rejects.toBeInstanceOf(InvalidRangeError);
    });

    it('serves byte ranges (end inclusive, clamped to the object)', async () => {
      const key = k('range/abc.txt');
      const body = Buffer.from('0123456789abcdefghij');
      await store.put(key, body);
      expect((await readAll(await store.get(key, { range: { start: 0, end: 0 } }))).toString()).toBe('0');
      expect((await readAll(await store.get(key, { range: { start: 2, end: 5 } }))).toString()).toBe('2345');
      expect((await readAll(await store.get(key, { range: { start: 15 } }))).toString()).toBe('fghij');
      expect((await readAll(await store.get(key, { range: { start: 0 } }))).toString()).toBe(body.toString());
      expect((await readAll(await store.get(key, { range: { start: 18, end: 1000 } }))).toString()).toBe('ij');
      await expect(store.get(key, { range: { start: 20 } })).rejects.toBeInstanceOf(InvalidRangeError);
      await expect(store.get(key, { range: { start: 5, end: 4 } })).rejects.toBeInstanceOf(InvalidRangeError);
      await expect(store.get(key, { range: { start: -1 } })).rejects.toBeInstanceOf(InvalidRangeError);
    });

    it('reports missing objects with ObjectNotFoundError / null', async () => {
      const key = k('missing/nothing.pdf');
      await expect(store.get(key)).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(store.get(key, { range: { start: 1, end: 2 } })).rejects.toBeInstanceOf(ObjectNotFoundError);
      expect(await store.stat(key)).toBeNull();
    });

    it('rejects unsafe keys on every operation', async () => {
      const bad = ['', '/etc/passwd', 'a/../b', '../x', 'a//b', 'a/', 'a\\b', 'a\0b', 'a/./b', '.hidden', 'a/.tmp-1', 'C:/x', 'x\n', 'a'.repeat(241)];
      for (const key of bad) {
        await expect(store.put(key, Buffer.from('x'))).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.get(key)).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.stat(key)).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.remove(key)).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.setLegalHold(key, true)).rejects.toBeInstanceOf(InvalidKeyError);
      }
      await expect(collect(store.list('../'))).rejects.toBeInstanceOf(InvalidKeyError);
    });

    it('lists by plain string prefix, in key order, only current objects', async () => {
      const keys = ['list/a/1.pdf', 'list/a/2.pdf', 'list/a-b.pdf', 'list/ab/3.pdf', 'list/b/Đơn đề nghị.pdf', 'list/b/z.pdf'].map(k);
      for (const key of [...keys].reverse()) await store.put(key, Buffer.from(key));
      await store.put(k('list/a/2.pdf'), Buffer.from('second version')); // an overwrite is listed once
      const all = await collect(store.list(k('list/')));
      const expected = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      expect(all.map((s) => s.key)).toEqual(expected);
      expect(all.find((s) => s.key === k('list/a/2.pdf'))?.size).toBe('second version'.length);
      for (const s of all) expect(s.lastModified).toBeInstanceOf(Date);
      expect((await collect(store.list(k('list/a')))).map((s) => s.key)).toEqual([k('list/a-b.pdf'), k('list/a/1.pdf'), k('list/a/2.pdf'), k('list/ab/3.pdf')].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
      expect((await collect(store.list(k('list/a/')))).map((s) => s.key)).toEqual([k('list/a/1.pdf'), k('list/a/2.pdf')]);
      expect(await collect(store.list(k('list/none/')))).toEqual([]);
      await store.remove(k('list/a/1.pdf'));
      expect((await collect(store.list(k('list/a/')))).map((s) => s.key)).toEqual([k('list/a/2.pdf')]);
    });

    it('overwrites an unlocked key; remove deletes every version and is idempotent', async () => {
      const key = k('rm/doc.pdf');
      const v1 = await store.put(key, Buffer.from('one'));
      const v2 = await store.put(key, Buffer.from('two'));
      expect((await readAll(await store.get(key))).toString()).toBe('two');
      expect((await store.stat(key))?.sha256).toBe(sha256('two'));
      await store.remove(key);
      expect(await store.stat(key)).toBeNull();
      await expect(store.get(key)).rejects.toBeInstanceOf(ObjectNotFoundError);
      for (const v of [v1.versionId, v2.versionId]) {
        if (v) {
          await expect(store.get(key, { versionId: v })).rejects.toBeInstanceOf(ObjectNotFoundError);
          expect(await store.stat(key, { versionId: v })).toBeNull();
        }
      }
      await store.remove(key); // again: no error
      expect(await collect(store.list(k('rm/')))).toEqual([]);
    });

    it('a body stream that fails leaves no object behind', async () => {
      const key = k('fail/broken.bin');
      await expect(store.put(key, failingStream(64 * 1024))).rejects.toThrow('client went away');
      expect(await store.stat(key)).toBeNull();
      expect(await collect(store.list(k('fail/')))).toEqual([]);
      const big = k('fail/broken-big.bin');
      await expect(store.put(big, failingStream(20 * MiB))).rejects.toThrow('client went away');
      expect(await store.stat(big)).toBeNull();
    });

    it('streams a large object with bounded memory and the right checksum', async () => {
      const total = options.bigStreamBytes ?? 80 * MiB;
      const maxGrowth = options.maxRssGrowthBytes ?? total / 2;
      const key = k('big/scan.tif');
      const { stream, digest } = generatedStream(total);
      const before = process.memoryUsage().rss;
      let peak = before;
      const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
      let res;
      try {
        res = await store.put(key, stream, { contentType: 'image/tiff' });
      } finally {
        clearInterval(timer);
      }
      peak = Math.max(peak, process.memoryUsage().rss);
      expect(res.size).toBe(total);
      expect(res.sha256).toBe(digest());
      expect((await store.stat(key))?.sha256).toBe(digest());
      // eslint-disable-next-line no-console
      console.log(`[${name}] put ${total / MiB} MiB: RSS growth ${((peak - before) / MiB).toFixed(1)} MiB (limit ${(maxGrowth / MiB).toFixed(0)})`);
      expect(peak - before).toBeLessThan(maxGrowth);

      // read back streaming (hash on the fly, never concatenated)
      const h = createHash('sha256');
      let n = 0;
      for await (const c of await store.get(key)) {
        h.update(c as Buffer);
        n += (c as Buffer).length;
      }
      expect(n).toBe(total);
      expect(h.digest('hex')).toBe(res.sha256);
      const tail = await readAll(await store.get(key, { range: { start: total - 10 } }));
      expect(tail.length).toBe(10);
      await store.remove(key);
    }, 180_000);
  });
}
