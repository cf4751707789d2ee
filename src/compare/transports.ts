import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { credentialsFrom, EXPLAIN_CUSTOM_ATTRIBUTES } from '../cli/invoke-sagemaker';
import type { TokenSource } from '../cli/vertex/access-token';

/** One request: the same instances and flag on every platform. */
export interface PredictRequest {
  readonly instances: readonly Record<string, unknown>[];
  readonly explain: boolean;
}

/** What came back: the status and, when it was JSON with predictions, those. */
export interface Answer {
  readonly status: number;
  readonly predictions?: readonly unknown[];
  /** Why it failed (status text, API error), when it did. */
  readonly error?: string;
}

/** Sends one request to a target; never throws for a refused request (that is an `Answer` with an error). */
export interface Transport {
  send(request: PredictRequest): Promise<Answer>;
  close(): void;
}

/** Where an API key for load-balanced Kubernetes services is read when no flag gives one. */
export const API_KEY_ENV = 'MODEL_SERVING_API_KEY';

/** The header a load-balanced Kubernetes service checks (the server also takes `Authorization: Bearer`). */
export const API_KEY_HEADER = 'x-api-key';

async function postJson(url: string, body: unknown, headers: Record<string, string>): Promise<Answer> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  } catch (error) {
    return { status: 0, error: `${(error as Error).message}${causeOf(error)}` };
  }
  const text = await response.text();
  return answerFrom(response.status, text);
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause ? ` (${cause.code ?? cause.message})` : '';
}

function answerFrom(status: number, text: string): Answer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { status, error: `HTTP ${status}, not JSON: ${text.slice(0, 120)}` };
  }
  const predictions = (parsed as { predictions?: unknown }).predictions;
  if (status !== 200) return { status, error: `HTTP ${status}: ${text.slice(0, 200)}` };
  if (!Array.isArray(predictions)) return { status, error: `HTTP ${status} without predictions` };
  return { status, predictions };
}

const body = (request: PredictRequest) => ({
  instances: request.instances,
  parameters: { explain: request.explain },
});

/** The native API (`/v1/models/<model>:predict`): local server, EKS or GKE through a port-forward or LB. */
export function nativeTransport(baseUrl: string, model: string, apiKey?: string): Transport {
  const url = `${baseUrl.replace(/\/+$/, '')}/v1/models/${encodeURIComponent(model)}:predict`;
  const headers: Record<string, string> = apiKey ? { [API_KEY_HEADER]: apiKey } : {};
  return { send: (request) => postJson(url, body(request), headers), close: () => {} };
}

/** The SageMaker container contract spoken directly (`/invocations`): the server started in SageMaker mode. */
export function sagemakerContainerTransport(baseUrl: string): Transport {
  const url = `${baseUrl.replace(/\/+$/, '')}/invocations`;
  return {
    send: (request) =>
      postJson(
        url,
        body(request),
        request.explain ? { 'X-Amzn-SageMaker-Custom-Attributes': EXPLAIN_CUSTOM_ATTRIBUTES } : {},
      ),
    close: () => {},
  };
}

/** A deployed SageMaker endpoint through InvokeEndpoint (the official runtime client). */
export function sagemakerEndpointTransport(options: {
  readonly endpointName: string;
  readonly region: string;
  /** Another runtime API host (a local stand-in). */
  readonly endpointUrl?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}): Transport {
  const client = new SageMakerRuntimeClient({
    region: options.region,
    // One attempt: a load test counts throttling and errors, it does not hide them behind retries.
    maxAttempts: 1,
    ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
    ...credentialsFrom(options.env),
  });
  return {
    send: async (request) => {
      try {
        const response = await client.send(
          new InvokeEndpointCommand({
            EndpointName: options.endpointName,
            ContentType: 'application/json',
            Accept: 'application/json',
            Body: JSON.stringify(body(request)),
            ...(request.explain ? { CustomAttributes: EXPLAIN_CUSTOM_ATTRIBUTES } : {}),
          }),
        );
        return answerFrom(200, new TextDecoder().decode(response.Body));
      } catch (error) {
        const { name, message } = error as Error;
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
        return { status, error: `${name}: ${message}` };
      }
    },
    close: () => client.destroy(),
  };
}

/** Vertex AI's predict route: a deployed endpoint (with a token) or the server started in Vertex mode. */
export function vertexTransport(predictUrl: string, token?: TokenSource): Transport {
  return {
    send: async (request) => {
      let headers: Record<string, string> = {};
      if (token) {
        try {
          headers = { authorization: `Bearer ${await token()}` };
        } catch (error) {
          return { status: 0, error: (error as Error).message };
        }
      }
      return postJson(predictUrl, body(request), headers);
    },
    close: () => {},
  };
}
