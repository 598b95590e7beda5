import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/**
 * Checks real responses of the API against its own /openapi.json: the status is documented for
 * the operation (or is the 404/405 that any path can get), the Content-Type is one the response
 * lists, required headers are there, and the body validates against the listed schema (JSON
 * bodies as parsed JSON, text bodies as strings, binary ones not at all).
 */

export interface ObservedResponse {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  /** The body as text ('' when there is none). */
  body: string;
}

interface Response {
  $ref?: string;
  headers?: Record<string, { required?: boolean }>;
  content?: Record<string, { schema?: object }>;
}
interface Document {
  paths: Record<string, Record<string, { responses?: Record<string, Response> }>>;
  components?: { responses?: Record<string, Response> };
}

const DOC_ID = 'https://resnet-lab.test/openapi.json';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** A JSON pointer as a URI fragment, from its unescaped segments. */
const fragment = (segments: string[]) =>
  '#' + segments.map((s) => '/' + encodeURIComponent(s.replaceAll('~', '~0').replaceAll('/', '~1'))).join('');

const isJson = (mediaType: string) => mediaType === 'application/json' || mediaType.endsWith('+json');

export function openApiConformance(doc: Document) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema(doc, DOC_ID);

  const templates = Object.keys(doc.paths).map((path) => ({
    path,
    params: (path.match(/\{/g) ?? []).length,
    pattern: new RegExp(`^${path.replace(/[.+*?^$()[\]|\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`),
  }));

  /** The documented path a concrete one falls under: literal segments win over parameters. */
  const pathOf = (url: string): string | undefined => {
    const path = url.split('?')[0]!.replace(/(.)\/+$/, '$1');
    return templates
      .filter((t) => t.pattern.test(path))
      .sort((a, b) => a.params - b.params)
      .map((t) => t.path)[0];
  };

  /** What is wrong with `response` to `method url` by the document; empty when nothing is. */
  function problems(method: string, url: string, response: ObservedResponse): string[] {
    const where = `${method} ${url.slice(0, 80)} → ${response.statusCode}`;
    const path = pathOf(url);
    const item = path === undefined ? undefined : doc.paths[path];
    const verb = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
    const status = String(response.statusCode);

    let found: { response: Response; pointer: string[] } | undefined;
    const errors: string[] = [];
    const operation = item?.[verb];
    if (operation) {
      const declared = operation.responses?.[status] ?? operation.responses?.[`${status[0]}XX`];
      if (declared) found = { response: declared, pointer: ['paths', path!, verb, 'responses', status] };
    } else {
      // No such operation: the path is unknown (404) or has other methods only (405 with Allow).
      const expected = item ? 'MethodNotAllowed' : 'NotFound';
      const shared = doc.components?.responses?.[expected];
      if (response.statusCode === (item ? 405 : 404) && shared) {
        found = { response: shared, pointer: ['components', 'responses', expected] };
        if (item) errors.push(...allowProblems(item, response, where));
      }
    }
    if (!found) return [`${where}: status not documented for ${method} ${path ?? '(no documented path)'}`];

    // A shared response: follow the reference.
    let { response: documented, pointer } = found;
    if (documented.$ref) {
      pointer = documented.$ref.replace(/^#\//, '').split('/');
      documented = pointer.reduce<any>((node, key) => node?.[key], doc) as Response;
    }

    for (const [name, header] of Object.entries(documented.headers ?? {})) {
      if (header.required && response.headers[name.toLowerCase()] === undefined) {
        errors.push(`${where}: required header ${name} is missing`);
      }
    }

    if (!documented.content) {
      if (response.body !== '') errors.push(`${where}: documented without a body, but one was sent`);
      return errors;
    }
    if (method.toUpperCase() === 'HEAD') return errors;
    const contentType = String(response.headers['content-type'] ?? '');
    const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
    const media = documented.content[mediaType];
    if (!media) {
      const listed = Object.keys(documented.content).join(', ');
      return [...errors, `${where}: content-type ${contentType || '(none)'} is not among the documented ${listed}`];
    }
    if (!media.schema) return errors; // binary: nothing to validate
    const validate = ajv.getSchema(DOC_ID + fragment([...pointer, 'content', mediaType, 'schema']));
    if (!validate) return [...errors, `${where}: the document's schema for ${mediaType} could not be compiled`];
    let body: unknown = response.body;
    if (isJson(mediaType)) {
      try {
        body = JSON.parse(response.body);
      } catch {
        return [...errors, `${where}: the ${mediaType} body is not JSON`];
      }
    }
    if (!validate(body)) {
      const details = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '(body)'} ${e.message}`);
      errors.push(`${where}: body does not match the ${mediaType} schema: ${details.join('; ')}`);
    }
    return errors;
  }

  return { problems };
}

/** A 405's Allow header must name exactly the path's documented methods (HEAD with GET). */
function allowProblems(item: Record<string, unknown>, response: ObservedResponse, where: string): string[] {
  const documented = new Set(METHODS.filter((m) => m in item).map((m) => m.toUpperCase()));
  if (documented.has('GET')) documented.add('HEAD');
  const allow = String(response.headers.allow ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  const sent = new Set(allow);
  const same = sent.size === documented.size && [...sent].every((m) => documented.has(m));
  return same ? [] : [`${where}: Allow is "${allow.join(', ')}", the document lists ${[...documented].join(', ')}`];
}
