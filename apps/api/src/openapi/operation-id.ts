/**
 * An operation's id from its method and OpenAPI path, so that generated clients get names that
 * only change when the route does: GET /v1/experiments/{id}/metrics → getExperimentsByIdMetrics.
 * The version prefix is left out while v1 is the only one; a later v2 keeps its own ("getV2…").
 */
export function operationIdOf(method: string, path: string): string {
  const words = path
    .split('/')
    .filter((segment, i) => segment !== '' && !(i === 1 && segment === 'v1'))
    .flatMap((segment) => {
      const param = /^\{(.+)\}$/.exec(segment);
      return param ? ['by', ...wordsOf(param[1]!)] : wordsOf(segment);
    });
  return method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

/** "model.json" → ["model", "json"]; "dry-run" → ["dry", "run"]; camelCase words are kept. */
function wordsOf(segment: string): string[] {
  return segment.split(/[^A-Za-z0-9]+/).filter(Boolean);
}
