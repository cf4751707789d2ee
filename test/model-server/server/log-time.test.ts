import { isoTimestamp } from '../../../model-server/src/lifecycle/log-time';
import { makeApp } from '../helpers/server-app';

describe('isoTimestamp', () => {
  it("is pino's time field for the given millisecond, a new text whenever the millisecond changes", () => {
    const t = Date.UTC(2026, 11, 2, 10, 30, 0, 123);
    expect(isoTimestamp(t)).toBe(',"time":"2026-12-02T10:30:00.123Z"');
    expect(isoTimestamp(t)).toBe(',"time":"2026-12-02T10:30:00.123Z"');
    expect(isoTimestamp(t + 1)).toBe(',"time":"2026-12-02T10:30:00.124Z"');
    expect(isoTimestamp(t)).toBe(',"time":"2026-12-02T10:30:00.123Z"');
  });

  it('defaults to now', () => {
    const before = Date.now();
    const time = Date.parse(JSON.parse(`{${isoTimestamp().slice(1)}}`).time);
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(Date.now());
  });
});

it("the server's log lines carry the current time", async () => {
  const { app, logs } = await makeApp();
  try {
    const before = Date.now();
    await new Promise((r) => setTimeout(r, 5));
    await app.inject({ method: 'GET', url: '/health/live' });
    const line = logs.lines.at(-1)!;
    const time = Date.parse(line.time as string);
    expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(time).toBeGreaterThan(before);
    expect(time).toBeLessThanOrEqual(Date.now());
  } finally {
    await app.close();
  }
});
