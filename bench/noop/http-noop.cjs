'use strict';
/**
 * Reference for `npm run bench`: bare `node:http`, reading the body, parsing it with JSON.parse and answering
 * every POST with a fixed prediction (explained when the body asks for it). The fastest a Node server can
 * answer these requests: the ceiling for any framework on Node's HTTP stack.
 *
 *   PORT=8080 node bench/noop/http-noop.cjs
 */
const http = require('node:http');
const { fixedResponses } = require('./fixed-response.cjs');

const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';
const { predict, explain } = fixedResponses();
const headers = (body) => ({
  'content-type': 'application/json; charset=utf-8',
  'content-length': Buffer.byteLength(body),
});
const predictHeaders = headers(predict);
const explainHeaders = headers(explain);

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health/ready') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"ready"}');
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"error":{"code":"BAD_JSON","message":"not JSON"}}');
      return;
    }
    const explained = body !== null && typeof body === 'object' && body.parameters?.explain === true;
    res.writeHead(200, explained ? explainHeaders : predictHeaders);
    res.end(explained ? explain : predict);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, host);
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
