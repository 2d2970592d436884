import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

/**
 * A stand-in for the GitHub Actions cache service on loopback, keeping its entries in a
 * directory: the Twirp API of cache service v2 (what runners announce today with
 * ACTIONS_CACHE_SERVICE_V2) and the blob endpoints its signed URLs point at (Azure Blob Put
 * Blob, Put Block and Put Block List for uploads, a plain GET for downloads). It lets the
 * tests and the bench drive the real @actions/cache client without leaving the machine.
 */
export interface CacheServer {
  url: string;
  /** The environment a runner gives a step, pointing @actions/cache here. */
  env: Record<string, string>;
  /** Every call, for tests: `CreateCacheEntry <key>`, `download <key>`, … */
  calls: string[];
  close(): Promise<void>;
}

const SERVICE = '/twirp/github.actions.results.api.v1.CacheService/';
const TOKEN = 'loopback-runtime-token';

interface Entry {
  key: string;
  version: string;
  id: number;
  finalized: boolean;
}

export async function startCacheServer(dir: string): Promise<CacheServer> {
  await mkdir(join(dir, 'blobs'), { recursive: true });
  const index = join(dir, 'entries.json');
  const entries: Entry[] = JSON.parse(await readFile(index, 'utf8').catch(() => '[]'));
  const saveIndex = () => writeFile(index, JSON.stringify(entries, null, 2));
  const calls: string[] = [];
  const blob = (id: number) => join(dir, 'blobs', String(id));
  let url = '';

  const json = (res: ServerResponse, status: number, body: object) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const body = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };

  async function twirp(method: string, req: IncomingMessage, res: ServerResponse) {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      return json(res, 401, { code: 'unauthenticated', msg: 'bad token' });
    }
    type Query = { key: string; version: string; restore_keys?: string[] };
    const q = JSON.parse(await body(req)) as Query;
    calls.push(`${method} ${q.key}`);
    if (method === 'CreateCacheEntry') {
      if (entries.some((e) => e.key === q.key && e.version === q.version)) {
        return json(res, 200, { ok: false, message: `cache entry ${q.key} already exists` });
      }
      const e = { key: q.key, version: q.version, id: entries.length + 1, finalized: false };
      entries.push(e);
      await saveIndex();
      const signed = `${url}/devstoreaccount1/cache/${e.id}?sig=loopback-signature`;
      return json(res, 200, { ok: true, signed_upload_url: signed });
    }
    if (method === 'FinalizeCacheEntryUpload') {
      const e = entries.find((x) => x.key === q.key && x.version === q.version && !x.finalized);
      if (!e || !(await stat(blob(e.id)).catch(() => undefined))) {
        return json(res, 200, { ok: false, message: 'nothing uploaded' });
      }
      e.finalized = true;
      await saveIndex();
      return json(res, 200, { ok: true, entry_id: String(e.id) });
    }
    if (method === 'GetCacheEntryDownloadURL') {
      // The exact key first, then each restore key as a prefix, newest entry first.
      const ready = entries.filter((x) => x.finalized && x.version === q.version).reverse();
      const prefixed = (q.restore_keys ?? []).map((k) => ready.find((x) => x.key.startsWith(k)));
      const hit = ready.find((x) => x.key === q.key) ?? prefixed.find(Boolean);
      if (!hit) return json(res, 200, { ok: false });
      const signed = `${url}/download/${hit.id}`;
      return json(res, 200, { ok: true, signed_download_url: signed, matched_key: hit.key });
    }
    return json(res, 404, { code: 'bad_route', msg: `no method ${method}` });
  }

  /** Azure Blob uploads: one Put Blob, or Put Block for each block and a Put Block List. */
  async function upload(id: number, u: URL, req: IncomingMessage, res: ServerResponse) {
    const e = entries.find((x) => x.id === id);
    if (!e || e.finalized) return res.writeHead(404).end();
    const comp = u.searchParams.get('comp');
    if (comp === 'block') {
      const block = Buffer.from(u.searchParams.get('blockid') ?? '', 'base64').toString('hex');
      await pipeline(req, createWriteStream(`${blob(id)}.block-${block}`));
    } else if (comp === 'blocklist') {
      const list = await body(req);
      const ids = [...list.matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]+)</g)];
      await writeFile(`${blob(id)}.part`, '');
      for (const [, b] of ids) {
        const part = `${blob(id)}.block-${Buffer.from(b, 'base64').toString('hex')}`;
        const append = createWriteStream(`${blob(id)}.part`, { flags: 'a' });
        await pipeline(createReadStream(part), append);
        await rm(part);
      }
      await rename(`${blob(id)}.part`, blob(id));
    } else {
      await pipeline(req, createWriteStream(`${blob(id)}.part`));
      await rename(`${blob(id)}.part`, blob(id));
    }
    calls.push(`upload ${e.key}${comp ? ` ${comp}` : ''}`);
    const headers = { etag: `"${id}"`, 'last-modified': new Date().toUTCString() };
    res.writeHead(201, { ...headers, 'x-ms-request-id': String(id) }).end();
  }

  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://loopback');
    const handle = async () => {
      if (req.method === 'POST' && u.pathname.startsWith(SERVICE)) {
        return twirp(u.pathname.slice(SERVICE.length), req, res);
      }
      const up = /^\/devstoreaccount1\/cache\/(\d+)$/.exec(u.pathname);
      if (req.method === 'PUT' && up) return upload(Number(up[1]), u, req, res);
      const down = /^\/download\/(\d+)$/.exec(u.pathname);
      const e = down && entries.find((x) => x.id === Number(down[1]) && x.finalized);
      if (req.method === 'GET' && e) {
        calls.push(`download ${e.key}`);
        const size = (await stat(blob(e.id))).size;
        res.writeHead(200, { 'content-length': size, 'content-type': 'application/octet-stream' });
        return pipeline(createReadStream(blob(e.id)), res);
      }
      res.writeHead(404).end();
    };
    handle().catch((err) => {
      if (!res.headersSent) res.writeHead(500).end(String(err));
      else res.destroy();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    calls,
    env: {
      ACTIONS_RESULTS_URL: `${url}/`,
      ACTIONS_RUNTIME_TOKEN: TOKEN,
      ACTIONS_CACHE_SERVICE_V2: 'true',
      NO_PROXY: '127.0.0.1,localhost',
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
