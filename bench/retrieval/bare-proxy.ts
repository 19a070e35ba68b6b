/**
 * What one proxy hop costs, for bench/retrieval: GET /<key> → `minio` getObject → `pipeline` into the
 * response, with nothing else (no authentication, database, audit, framework). A reference, not a strict
 * floor: at 8 MB the service measured the same or less CPU per byte. Run by run.ts as its own
 * process beside the service, on the same bucket:
 *
 *   node -r ts-node/register/transpile-only bench/retrieval/bare-proxy.ts <bucket>
 *
 * Prints `ready <port>` on stdout when listening.
 */
import * as http from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { minioClient, s3Env } from '../support/service';

const bucket = process.argv[2]!;
const client = minioClient(s3Env());

http
  .createServer((req, res) => {
    client
      .getObject(bucket, decodeURIComponent(req.url!.slice(1)))
      .then((s) => {
        res.setHeader('Content-Length', String((s as IncomingMessage).headers['content-length']));
        return pipeline(s, res);
      })
      .catch(() => {
        if (!res.headersSent) res.statusCode = 502;
        res.destroy();
      });
  })
  .listen(0, '127.0.0.1', function (this: http.Server) {
    process.stdout.write(`ready ${(this.address() as AddressInfo).port}\n`);
  });
