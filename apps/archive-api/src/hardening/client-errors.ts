import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { reasonPhrase } from '../common/api-error';

/**
 * Requests that Node's HTTP parser rejects before Express sees them (headers or URL too large,
 * malformed request lines, header timeouts) get Node's bare text answer by default. Answer them with
 * the JSON error shape of API.md too, so every client — and the fuzz suite — sees one contract.
 */
export function jsonClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status =
      err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'HPE_URI_TOO_LONG' ? 414 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const message =
      status === 431 ? 'Request headers (or URL) are too large' : status === 408 ? 'Request timed out' : status === 414 ? 'URL is too long' : 'Malformed HTTP request';
    const body = JSON.stringify({ statusCode: status, error: reasonPhrase(status), message });
    socket.end(
      `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
