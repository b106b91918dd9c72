// The pages' static files (src/web/assets/): read once, served with a content hash in the URL so
// they can be cached for a year and still change the moment a new version is deployed.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'assets');
// .xsl: how browsers show the Atom feeds (feed.xsl); text/xsl is a type every browser loads XSLT as.
const TYPES: Record<string, string> = { '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.svg': 'image/svg+xml', '.xsl': 'text/xsl; charset=utf-8' };

interface Asset {
  body: Buffer;
  type: string;
  hash: string;
}

let assets: Map<string, Asset> | undefined;
function load(): Map<string, Asset> {
  if (!assets) {
    assets = new Map();
    for (const name of readdirSync(DIR)) {
      const type = TYPES[path.extname(name)];
      if (!type) continue;
      const body = readFileSync(path.join(DIR, name));
      assets.set(name, { body, type, hash: createHash('sha256').update(body).digest('hex').slice(0, 12) });
    }
  }
  return assets;
}

/** The URL of an asset, versioned by its content. */
export function assetUrl(name: string): string {
  const a = load().get(name);
  if (!a) throw new Error(`no asset ${name} in src/web/assets`);
  return `/assets/${name}?v=${a.hash}`;
}

export async function assetRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Params: { name: string } }>('/assets/:name', { config: { rateLimit: false } }, async (req, reply) => {
    const a = load().get(req.params.name);
    if (!a) return reply.code(404).send({ error: 'no such asset' });
    return reply
      .header('content-type', a.type)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('etag', `"${a.hash}"`)
      .send(a.body);
  });
}
