import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';

/** GCS's public endpoint; STORAGE_EMULATOR_HOST replaces it (tests, fake-gcs-server). */
export const GCS_BASE_URL = 'https://storage.googleapis.com';
/** Read-only scope is all the server needs. */
const READ_ONLY_SCOPE = 'https://www.googleapis.com/auth/devstorage.read_only';
/** Per HTTP call: a model artifact of a few MB should never take longer. */
const CALL_TIMEOUT_MS = 60_000;

export interface GcsLocation {
  readonly bucket: string;
  /** Object name prefix, '' or ending in '/'. */
  readonly prefix: string;
}

/** `gs://bucket/some/prefix` -> bucket and `some/prefix/` (a directory: `prefix` must not match `prefix2/`). */
export function parseGsUri(uri: string): GcsLocation {
  const match = /^gs:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match) throw new Error(`${uri} is not a gs:// URI; expected gs://bucket/prefix`);
  const path = match[2];
  return { bucket: match[1], prefix: path === '' || path.endsWith('/') ? path : `${path}/` };
}

export interface GcsDownloadOptions {
  /** `gs://bucket/prefix`. */
  readonly uri: string;
  /**
   * The GCS emulator's host (`localhost:4443` or `http://localhost:4443`): used as the base URL, and no
   * credentials are fetched.
   * @default - GCS itself, with Application Default Credentials
   */
  readonly emulatorHost?: string;
  /**
   * Base URL of the JSON API when not on the emulator (tests point it at a local stand-in).
   * @default https://storage.googleapis.com
   */
  readonly baseUrl?: string;
  /**
   * Returns an OAuth access token (tests inject one).
   * @default - google-auth-library's Application Default Credentials (the Vertex service account)
   */
  readonly accessToken?: () => Promise<string>;
  /**
   * Directory to download into.
   * @default - `<new temporary directory>/<last prefix segment, else the bucket>`, so a prefix that is itself one
   * bundle serves a model named after it (the bundle rule names a bundle directory's model after the directory)
   */
  readonly destination?: string;
}

async function defaultAccessToken(): Promise<string> {
  // Loaded only when GCS is used, so other deployments never pay for the import.
  const { GoogleAuth } = await import('google-auth-library');
  const token = await new GoogleAuth({ scopes: [READ_ONLY_SCOPE] }).getAccessToken();
  if (!token) throw new Error('Application Default Credentials returned no access token');
  return token;
}

function baseUrl(emulatorHost: string | undefined, fallback: string): string {
  if (emulatorHost === undefined) return fallback.replace(/\/+$/, '');
  const withScheme = /^https?:\/\//.test(emulatorHost) ? emulatorHost : `http://${emulatorHost}`;
  return withScheme.replace(/\/+$/, '');
}

/**
 * Downloads every object under a `gs://` prefix into a local directory through the GCS JSON API (list with
 * pagination, then `alt=media` per object), keeping the paths below the prefix. Throws an Error naming the
 * URI and the failing call. Returns the directory.
 */
export async function downloadGcsPrefix(options: GcsDownloadOptions): Promise<string> {
  const { bucket, prefix } = parseGsUri(options.uri);
  const base = baseUrl(options.emulatorHost, options.baseUrl ?? GCS_BASE_URL);
  const token =
    options.emulatorHost !== undefined ? undefined : await (options.accessToken ?? defaultAccessToken)();
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const call = async (url: string): Promise<Response> => {
    let response: Response;
    try {
      response = await fetch(url, { headers, signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
    } catch (e) {
      throw new Error(`GET ${url} failed: ${(e as Error).message}`);
    }
    if (!response.ok) {
      const text = (await response.text().catch(() => '')).replace(/\s+/g, ' ').slice(0, 200);
      throw new Error(`GET ${url} returned ${response.status}${text ? `: ${text}` : ''}`);
    }
    return response;
  };

  const names: string[] = [];
  let pageToken: string | undefined;
  do {
    const query = new URLSearchParams({ prefix, fields: 'items(name),nextPageToken' });
    if (pageToken !== undefined) query.set('pageToken', pageToken);
    const page = (await (
      await call(`${base}/storage/v1/b/${encodeURIComponent(bucket)}/o?${query}`)
    ).json()) as {
      items?: { name: string }[];
      nextPageToken?: string;
    };
    for (const item of page.items ?? []) names.push(item.name);
    pageToken = page.nextPageToken;
  } while (pageToken);

  // Zero-byte "folder" placeholders (names ending in /) are not files.
  const files = names.filter((n) => !n.endsWith('/'));
  if (files.length === 0) throw new Error(`no objects under ${options.uri}`);

  const temp =
    options.destination === undefined ? await mkdtemp(join(tmpdir(), 'model-server-gcs-')) : undefined;
  const segment = prefix
    .split('/')
    .filter((s) => s !== '')
    .pop();
  const lastSegment = segment === undefined || segment === '.' || segment === '..' ? bucket : segment;
  const destination = resolve(options.destination ?? join(temp!, lastSegment));
  try {
    for (const name of files) {
      const target = resolve(destination, name.slice(prefix.length));
      // An object name like `prefix/../../x` must not write outside the destination.
      if (!target.startsWith(destination + sep))
        throw new Error(`object name ${name} escapes the download directory`);
      const url = `${base}/storage/v1/b/${encodeURIComponent(bucket)}/o/${encodeURIComponent(name)}?alt=media`;
      const body = Buffer.from(await (await call(url)).arrayBuffer());
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, body);
    }
  } catch (e) {
    if (temp !== undefined) await rm(temp, { recursive: true, force: true });
    throw e;
  }
  return destination;
}
