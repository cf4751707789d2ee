import { GoogleAuth } from 'google-auth-library';
import { CommandError } from '../usage-error';

/** Returns an OAuth access token for Google APIs (called before each request; the source caches it). */
export type TokenSource = () => Promise<string>;

/**
 * A token given in the environment (`GOOGLE_OAUTH_ACCESS_TOKEN`, e.g. from `gcloud auth print-access-token`,
 * or a test's fake) is used as is, so google-auth-library never probes the metadata server; otherwise
 * Application Default Credentials (`gcloud auth application-default login`, or the attached service account).
 */
export const ACCESS_TOKEN_ENV = 'GOOGLE_OAUTH_ACCESS_TOKEN';
const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

export function tokenSourceFrom(env: Readonly<Record<string, string | undefined>>): TokenSource {
  const given = env[ACCESS_TOKEN_ENV]?.trim();
  if (given) return async () => given;
  let auth: GoogleAuth | undefined;
  return async () => {
    auth ??= new GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE] });
    let token: string | null | undefined;
    try {
      token = await auth.getAccessToken();
    } catch (error) {
      throw new CommandError(
        `no Google credentials (${(error as Error).message}): run \`gcloud auth application-default login\` or set ${ACCESS_TOKEN_ENV}`,
      );
    }
    if (!token) throw new CommandError(`Google credentials gave no access token; set ${ACCESS_TOKEN_ENV}`);
    return token;
  };
}
