import * as path from 'node:path';
import { ensureServerBuilt as ensureBuilt } from '../../../src/compare/server-build';

export const ROOT = path.join(__dirname, '../../..');

/** Builds the server once when it is missing or older than its sources, as `npm run compare` does. */
export function ensureServerBuilt(): void {
  ensureBuilt(ROOT, () => {});
}
