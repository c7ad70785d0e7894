import type { OpenAPIObject } from '@nestjs/swagger';
import { OperationExample, REFERENCE_EXAMPLES } from './reference-examples';

/** Where the curl samples send their requests: the address `npm start` serves on. */
const SAMPLE_BASE_URL = 'http://localhost:3000';
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

type Operation = {
  summary?: string;
  operationId?: string;
  parameters?: { in: string; name: string; example?: unknown }[];
  requestBody?: { content?: Record<string, { example?: unknown }> };
  responses?: Record<string, { content?: Record<string, { example?: unknown }> }>;
  [extension: `x-${string}`]: unknown;
};

/**
 * Finishes the generated document for readers and linters: each operation gets an operationId
 * named after its reference title (the two custom-field controllers share method names) and the
 * reference's request and response samples, as media-type examples and a curl code sample.
 */
export function withReferenceExamples(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = (item as Record<string, Operation | undefined>)[method];
      if (!operation) continue;
      if (operation.summary) operation.operationId = camelCase(operation.summary);
      const example = REFERENCE_EXAMPLES[`${method} ${path}`];
      if (example) applyExample(method, path, operation, example);
    }
  }
  return document;
}

function applyExample(
  method: string,
  path: string,
  operation: Operation,
  example: OperationExample,
) {
  for (const parameter of operation.parameters ?? []) {
    const value = example.params?.[parameter.name];
    if (parameter.in === 'path' && value !== undefined) parameter.example = value;
  }
  if (example.body) {
    for (const media of Object.values(operation.requestBody?.content ?? {})) {
      media.example = example.body;
    }
  }
  if (example.response.body !== undefined) {
    const content = operation.responses?.[String(example.response.status)]?.content ?? {};
    for (const media of Object.values(content)) media.example = example.response.body;
  }
  operation['x-codeSamples'] = [
    { lang: 'Shell', label: 'curl', source: curl(method, path, example) },
  ];
}

function curl(method: string, path: string, example: OperationExample): string {
  const url =
    SAMPLE_BASE_URL +
    path.replace(/\{(\w+)\}/g, (_, name: string) => example.params?.[name] ?? `{${name}}`) +
    (example.query ? `?${example.query}` : '');
  // -g: the brackets of `customFields[key]=value` are not a curl URL range.
  const globOff = url.includes('[') ? ' -g' : '';
  const lines = [
    `curl${globOff} -X ${method.toUpperCase()} "${url}"`,
    `  -H "Authorization: Bearer {token}"`,
  ];
  if (example.body && path.endsWith('/import')) {
    lines.push(`  -F "file=@contacts.csv;type=text/csv"`);
  } else if (example.body) {
    lines.push(`  -H "Content-Type: application/json"`);
    lines.push(`  -d '${JSON.stringify(example.body)}'`);
  }
  return lines.join(' \\\n');
}

/** "Get contact by ID" → "getContactById". */
function camelCase(title: string): string {
  return title
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word, i) =>
      i === 0 ? word.toLowerCase() : word[0].toUpperCase() + word.slice(1).toLowerCase(),
    )
    .join('');
}
