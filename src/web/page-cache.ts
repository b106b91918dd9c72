// The public pages' cache (the archive, an issue, a tag's page, the two Atom feeds): each page rendered
// once per generation and kept in this process's memory. The generation is a number in the database
// (page_generation, migration 016) that triggers move in the same transaction as every change a public
// page shows, so it is right whoever made the change (another `serve` process, the CLI, a worker
// finishing an issue) and whatever Redis does. Each request reads the generation with a query that
// starts after the request arrived (one query shared by every request waiting at that moment), so a
// change committed anywhere is seen at once; a page kept under an older generation is never answered.
// Conditional GETs are answered from the kept ETag and Last-Modified, without rendering. A client that
// accepts gzip (every browser and feed reader) gets the page compressed once per generation, not per
// request, and one that accepts Brotli (every browser, most feed readers) gets it in Brotli once that is
// ready: compressed at Brotli's best in the thread pool, a fifth smaller than gzip, while gzip answers
// meanwhile. The same page in each, told apart by Vary and by ETag.
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { prepared, type Db } from '../db/connection.ts';

/** What rendering a public address found: a page to keep and answer, or an answer that is not kept. */
export type Rendered =
  | { kind: 'page'; body: string; lastModified: Date | null }
  | { kind: 'not-found'; message: string }
  | { kind: 'redirect'; to: string };

interface Kept {
  generation: number;
  /** Encoded once: a kept page is sent as bytes, never converted again per request. */
  body: Buffer;
  etag: string;
  /** The body gzipped once, and its ETag; absent when compressing would not make it smaller. */
  gzip?: Encoded | undefined;
  /** The body in Brotli, once the thread pool has compressed it (absent until then, or when no smaller). */
  br?: Encoded | undefined;
  lastModified: Date | null;
}

interface Encoded {
  body: Buffer;
  etag: string;
}

type Coding = 'br' | 'gzip';

/** Pages smaller than this go as they are: a few hundred bytes gain nothing worth a header. */
const GZIP_FROM_BYTES = 1024;

/**
 * The coding to answer in, of those at hand: the one the request weighs highest in Accept-Encoding
 * (a coding it does not name takes `*`'s weight), Brotli on a tie, none when every one is refused (q=0).
 */
export function preferredCoding(req: FastifyRequest, available: readonly Coding[]): Coding | undefined {
  const ae = req.headers['accept-encoding'];
  if (typeof ae !== 'string' || available.length === 0) return undefined;
  const q: Record<string, number> = {};
  for (const part of ae.split(',')) {
    const [coding = '', ...params] = part.trim().toLowerCase().split(';');
    const value = params.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    q[coding.trim()] = value === undefined ? 1 : Number(value);
  }
  let best: Coding | undefined;
  let bestQ = 0;
  for (const c of available) {
    const weight = q[c] ?? q['*'] ?? 0;
    if (weight > bestQ || (weight === bestQ && weight > 0 && c === 'br')) [best, bestQ] = [c, weight];
  }
  return best;
}

const brotli = promisify(brotliCompress);

/** A CDN or reverse proxy may hold a public page a minute, and answer from it a little longer while it asks again. */
export const PUBLIC_CACHE_CONTROL = 'public, max-age=60, stale-while-revalidate=60';

/** Rendered pages kept at most (bytes of body); the oldest go first. */
const MAX_BYTES = 32 * 1024 * 1024;

export interface PageCacheStats {
  /** Pages rendered (a miss), answered from memory (a hit), and 304s answered. */
  renders: number;
  hits: number;
  notModified: number;
}

export interface PageCacheOptions {
  /** The generation now, read by a query that starts when called. */
  readGeneration(): Promise<number>;
  /** Runs once when a new generation is first seen, before any page of it renders (the publication's name is read again). */
  onNewGeneration?(): Promise<void>;
  maxBytes?: number;
}

export const etagOf = (body: string | Buffer) => `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;

/**
 * 304 when the client holds this body already (If-None-Match) or, without If-None-Match, nothing
 * changed since the time it names (If-Modified-Since, whole seconds).
 */
export function notModified(req: FastifyRequest, etag: string, lastModified: Date | null): boolean {
  const inm = req.headers['if-none-match'];
  if (typeof inm === 'string') return inm.split(',').some((v) => v.trim().replace(/^W\//, '') === etag || v.trim() === '*');
  const ims = req.headers['if-modified-since'];
  const since = typeof ims === 'string' ? Date.parse(ims) : Number.NaN;
  return lastModified !== null && !Number.isNaN(since) && Math.floor(lastModified.getTime() / 1000) * 1000 <= since;
}

function kept(generation: number, r: Extract<Rendered, { kind: 'page' }>): Kept {
  const body = Buffer.from(r.body);
  const etag = etagOf(body);
  const zipped = body.length >= GZIP_FROM_BYTES ? gzipSync(body) : undefined;
  // Another representation, another strong ETag: the same hash, marked.
  const gzip = zipped && zipped.length < body.length ? { body: zipped, etag: `${etag.slice(0, -1)}-gz"` } : undefined;
  return { generation, body, etag, gzip, lastModified: r.lastModified };
}

/** Brotli at its best (quality 11): tens of milliseconds for a large feed, once per generation. */
async function brotliOf(k: Kept): Promise<Encoded | undefined> {
  if (k.body.length < GZIP_FROM_BYTES) return undefined;
  const params = { [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY, [zlib.BROTLI_PARAM_SIZE_HINT]: k.body.length, [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT };
  const body = await brotli(k.body, { params });
  return body.length < (k.gzip?.body.length ?? k.body.length) ? { body, etag: `${k.etag.slice(0, -1)}-br"` } : undefined;
}

export class PageCache {
  readonly stats: PageCacheStats = { renders: 0, hits: 0, notModified: 0 };
  private readonly kept = new Map<string, Kept>();
  private bytes = 0;
  /** The newest generation seen, and the refresh its first sight started. */
  private seen = -1;
  private ready: Promise<void> = Promise.resolve();
  private inflight: Promise<number> | undefined;
  private queued: Promise<number> | undefined;
  private readonly rendering = new Map<string, { generation: number; result: Promise<Rendered> }>();
  /** Brotli compressions under way in the thread pool. */
  private readonly compressing = new Set<Promise<void>>();

  constructor(private readonly o: PageCacheOptions) {}

  private start(): Promise<number> {
    const p = this.o.readGeneration().finally(() => {
      if (this.inflight === p) this.inflight = undefined;
    });
    this.inflight = p;
    return p;
  }

  /**
   * The generation as of now: a read that started after this call. A read already under way may have
   * started before a change this caller must see, so callers arriving during one wait for the next,
   * which every caller arriving meanwhile shares.
   */
  generation(): Promise<number> {
    if (!this.inflight) return this.start();
    this.queued ??= this.inflight
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        this.queued = undefined;
        return this.start();
      });
    return this.queued;
  }

  private async current(): Promise<number> {
    const g = await this.generation();
    if (g > this.seen) {
      this.seen = g;
      // Pages of this generation wait for it; when it fails, they fail (the database is unwell) and the
      // next request tries again, rather than keeping a page with what was read before.
      this.ready = (this.o.onNewGeneration?.() ?? Promise.resolve()).catch((e: unknown) => {
        if (this.seen === g) this.seen = -1;
        throw e;
      });
      // Everything kept belongs to an older generation now.
      this.kept.clear();
      this.bytes = 0;
    }
    await this.ready;
    return g;
  }

  /** Resolves once every Brotli compression started so far has landed (tests wait for it). */
  async idle(): Promise<void> {
    await Promise.all(this.compressing);
  }

  private keep(key: string, k: Kept): void {
    if (k.generation < this.seen) return;
    const size = (v: Kept) => v.body.length + (v.gzip?.body.length ?? 0) + (v.br?.body.length ?? 0);
    const old = this.kept.get(key);
    if (old) {
      this.bytes -= size(old);
      this.kept.delete(key);
    }
    const max = this.o.maxBytes ?? MAX_BYTES;
    for (const [oldest, v] of this.kept) {
      if (this.bytes + size(k) <= max) break;
      this.kept.delete(oldest);
      this.bytes -= size(v);
    }
    this.kept.set(key, k);
    this.bytes += size(k);
    const job: Promise<void> = brotliOf(k)
      .then((br) => {
        // Only while this page is still the one kept: a page replaced or dropped meanwhile is not counted.
        if (br && this.kept.get(key) === k) {
          k.br = br;
          this.bytes += br.body.length;
        }
      })
      .catch(() => undefined)
      .finally(() => this.compressing.delete(job));
    this.compressing.add(job);
  }

  /**
   * Answers a public address from memory when this generation's page is kept, else renders it (once,
   * however many ask at the same moment). `key` names everything the page depends on besides the
   * generation; `type` is the answer's content type (it may depend on the request, the body does not).
   */
  async serve(
    req: FastifyRequest,
    reply: FastifyReply,
    key: string,
    type: string,
    render: () => Promise<Rendered>,
    otherwise: (reply: FastifyReply, r: Exclude<Rendered, { kind: 'page' }>) => FastifyReply | Promise<FastifyReply>,
  ): Promise<FastifyReply> {
    const g = await this.current();
    let page = this.kept.get(key);
    if (page && page.generation === g) {
      this.stats.hits++;
    } else {
      let job = this.rendering.get(key);
      if (!job || job.generation !== g) {
        this.stats.renders++;
        job = { generation: g, result: render() };
        this.rendering.set(key, job);
        const mine = job;
        void mine.result
          .then((r) => {
            if (r.kind === 'page') this.keep(key, kept(g, r));
          })
          .catch(() => undefined)
          .finally(() => {
            if (this.rendering.get(key) === mine) this.rendering.delete(key);
          });
      }
      const r = await job.result;
      if (r.kind !== 'page') return otherwise(reply, r);
      page = this.kept.get(key);
      if (!page || page.generation !== g) page = kept(g, r);
    }
    const coding = preferredCoding(req, [...(page.br ? ['br' as const] : []), ...(page.gzip ? ['gzip' as const] : [])]);
    const zipped = coding === 'br' ? page.br : coding === 'gzip' ? page.gzip : undefined;
    const etag = zipped?.etag ?? page.etag;
    reply.header('etag', etag).header('cache-control', PUBLIC_CACHE_CONTROL).header('vary', 'Accept-Encoding');
    if (page.lastModified) reply.header('last-modified', page.lastModified.toUTCString());
    if (notModified(req, etag, page.lastModified)) {
      this.stats.notModified++;
      return reply.code(304).send();
    }
    if (zipped) reply.header('content-encoding', coding!);
    return reply.code(200).header('content-type', type).send(zipped?.body ?? page.body);
  }
}

/** Read for every public page's request (shared by the requests waiting at that moment): prepared. */
const READ_GENERATION = prepared(`select n from page_generation where id = 1`);

/** The cache of one server, its generation read from the database. */
export function createPageCache(db: Db, onNewGeneration?: () => Promise<void>): PageCache {
  return new PageCache({
    async readGeneration() {
      const [row] = await db.query<{ n: string | number }>(READ_GENERATION);
      return Number(row?.n ?? 0);
    },
    onNewGeneration,
  });
}
