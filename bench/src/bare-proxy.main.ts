import { createServer, IncomingHttpHeaders } from 'node:http';
import { Dispatcher, Pool } from 'undici';

/**
 * The benchmark's featureless Node proxy: a plain `http` server forwarding every request through an
 * undici Pool the way most hand-written Node proxies do (`pool.request`, then pipe the body). It is
 * the runtime's own floor for proxying, against which the gateway's features are priced.
 */
const upstream = process.env.UPSTREAM_URL;
if (!upstream) throw new Error('UPSTREAM_URL is required');
const pool = new Pool(upstream, { connections: 256 });

/** Headers that describe one connection, which undici refuses or which must not be passed on. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-connection'];

function withoutHopByHop(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string | string[] | undefined> {
  const copy = { ...headers };
  for (const name of HOP_BY_HOP) delete copy[name];
  return copy;
}

const server = createServer((req, res) => {
  const headers = withoutHopByHop(req.headers);
  delete headers.host;
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  pool
    .request({ method: req.method as Dispatcher.HttpMethod, path: req.url ?? '/', headers, body: hasBody ? req : null })
    .then(
      ({ statusCode, headers: answer, body }) => {
        res.writeHead(statusCode, withoutHopByHop(answer));
        body.pipe(res);
      },
      () => {
        res.writeHead(502);
        res.end();
      },
    );
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as { port: number }).port}\n`);
});
process.on('SIGTERM', () => server.close(() => void pool.close().then(() => process.exit(0))));
