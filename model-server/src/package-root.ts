import { resolve } from 'node:path';

/**
 * The model-server package directory (holding `package.json` and `models/`). This module sits directly below
 * it from source (`src/`, tsx and jest) and once built, when the whole server is one bundle at
 * `dist/main.js`, so one level up is right in both. Other modules must not compute paths from their own
 * `__dirname`: in the bundle every module shares `dist/` as its directory.
 */
export const PACKAGE_ROOT: string = resolve(__dirname, '..');
