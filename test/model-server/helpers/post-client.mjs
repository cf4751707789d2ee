// Sends POST requests from a process of its own and prints what each got, one JSON line per request: a
// server in the test's process would share its event loop with the client, and the reset that a client
// still writing meets when the server closes early then never happens.
//   node post-client.mjs '{"port":1,"path":"/x","headers":{},"size":10,"chunked":false,"rounds":1}'
import { request } from 'node:http';

const { port, path, headers, size, chunked, rounds, body: text } = JSON.parse(process.argv[2]);
const body =
  text === undefined
    ? jsonOf(size)
    : Buffer.from(text.repeat(Math.ceil(size / text.length))).subarray(0, size);

/** Valid JSON, `size` bytes long: only a limit can reject it. */
function jsonOf(n) {
  const b = Buffer.alloc(n, 'a');
  b.write('{"instances":[{}],"pad":"', 0);
  b.write('"}', n - 2);
  return b;
}

function once() {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent: false,
        headers: chunked ? headers : { ...headers, 'content-length': String(body.length) },
      },
      (res) => {
        let got = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          got += c;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode, contentType: res.headers['content-type'], body: got }),
        );
        res.on('error', (e) => resolve({ error: e.code ?? e.message }));
      },
    );
    req.on('error', (e) => resolve({ error: e.code ?? e.message }));
    if (chunked) {
      // Many writes, so the body goes out as many chunks while the answer may already be on its way.
      for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
      req.end();
    } else req.end(body);
  });
}

for (let i = 0; i < rounds; i++) process.stdout.write(`${JSON.stringify(await once())}\n`);
