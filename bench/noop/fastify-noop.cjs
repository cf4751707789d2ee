'use strict';
/**
 * Reference for `npm run bench`: a fastify 5 server that parses the JSON body (fastify's own parser) and
 * answers every POST with a fixed prediction, explained when the body asks for it. What is left of a
 * request's cost here is fastify's and Node's HTTP path: the floor the model server's plain predict is
 * compared with. Plain JavaScript, so it starts without a build; no logging, as a bare server would have.
 *
 *   PORT=8080 node bench/noop/fastify-noop.cjs
 */
const fastify = require('fastify');
const { fixedResponses } = require('./fixed-response.cjs');

const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';
const { predict, explain } = fixedResponses();

const app = fastify({ logger: false });
app.get('/health/ready', (_request, reply) => {
  reply.send({ status: 'ready' });
});
app.post('/*', (request, reply) => {
  const body = request.body;
  const explained = body !== null && typeof body === 'object' && body.parameters?.explain === true;
  reply.type('application/json; charset=utf-8').send(explained ? explain : predict);
});
app.listen({ port, host }).catch((e) => {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
});
process.on('SIGTERM', () => {
  app.close().then(() => process.exit(0));
});
