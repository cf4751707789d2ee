import { ServingError } from '../../core/errors';

/** The header SageMaker forwards from `InvokeEndpoint`'s `CustomAttributes` (it forwards no query string). */
export const CUSTOM_ATTRIBUTES_HEADER = 'x-amzn-sagemaker-custom-attributes';

const TRUE = new Set(['true', '1', 'yes']);
const FALSE = new Set(['false', '0', 'no']);

/** `?explain=` as a flag: the querystring schema already limits it to true/false/1/0. */
export function explainFromQuery(value: string | undefined): boolean {
  return value === 'true' || value === '1';
}

/**
 * `explain=true` among the custom attributes, which may hold several `key=value` pairs separated by commas or
 * semicolons (`trace=abc;explain=true`). Other keys are the caller's business and are ignored.
 */
export function explainFromCustomAttributes(header: string | string[] | undefined): boolean {
  if (header === undefined) return false;
  const text = Array.isArray(header) ? header.join(',') : header;
  let explain = false;
  for (const part of text.split(/[,;]/)) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (key !== 'explain') continue;
    const value =
      eq < 0
        ? ''
        : part
            .slice(eq + 1)
            .trim()
            .toLowerCase();
    if (TRUE.has(value)) explain = true;
    else if (!FALSE.has(value)) {
      throw new ServingError(
        'BAD_REQUEST',
        `X-Amzn-SageMaker-Custom-Attributes: explain="${value}" is not a flag; use explain=true or explain=false`,
        [{ path: 'headers.x-amzn-sagemaker-custom-attributes', message: 'explain must be true or false' }],
      );
    }
  }
  return explain;
}

/**
 * Whether a request asks for explanations: any one of the query flag, `parameters.explain` in the body and the
 * SageMaker custom attribute is enough (platforms forward different parts of a request).
 */
export function explainRequested(input: {
  readonly query?: string;
  readonly parameter?: boolean;
  readonly customAttributes?: string | string[];
}): boolean {
  return (
    input.parameter === true ||
    explainFromQuery(input.query) ||
    explainFromCustomAttributes(input.customAttributes)
  );
}
