import type { NextFunction, Request, Response } from 'express';
import { ProblemException } from '../problem/problem.exception';

export interface BodyShapeLimits {
  maxDepth: number;
  maxArrayLength: number;
  maxKeys: number;
}

interface Node {
  value: unknown;
  depth: number;
  parent?: Node;
  key?: string;
}

function pathOf(node: Node): string {
  const keys: string[] = [];
  for (let at: Node | undefined = node; at?.key !== undefined; at = at.parent) keys.push(at.key);
  const path = keys.reverse().join('.');
  return path.length > 200 ? `${path.slice(0, 200)}…` : path || '(body)';
}

/** The first limit a parsed JSON value breaks, or undefined. One pass, its own stack. */
export function bodyShapeViolation(body: unknown, limits: BodyShapeLimits): string | undefined {
  const stack: Node[] = [{ value: body, depth: 0 }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const { value, depth } = node;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= limits.maxDepth) {
      return `${pathOf(node)} nests deeper than ${limits.maxDepth} levels`;
    }
    if (Array.isArray(value)) {
      if (value.length > limits.maxArrayLength) {
        return `${pathOf(node)} has more than ${limits.maxArrayLength} items`;
      }
      value.forEach((child, index) =>
        stack.push({ value: child, depth: depth + 1, parent: node, key: String(index) }),
      );
      continue;
    }
    const keys = Object.keys(value);
    if (keys.length > limits.maxKeys) return `${pathOf(node)} has more than ${limits.maxKeys} keys`;
    for (const key of keys) {
      stack.push({
        value: (value as Record<string, unknown>)[key],
        depth: depth + 1,
        parent: node,
        key,
      });
    }
  }
  return undefined;
}

/**
 * Refuses a parsed JSON body nested too deep or holding too many items or keys, before any
 * transformer or validator walks it (those recurse, and take seconds on 100,000 keys).
 */
export function limitBodyShape(limits: BodyShapeLimits) {
  return (request: Request, _response: Response, next: NextFunction) => {
    const violation =
      request.body === undefined ? undefined : bodyShapeViolation(request.body, limits);
    if (!violation) {
      next();
      return;
    }
    next(
      new ProblemException({
        status: 413,
        code: 'BODY_TOO_COMPLEX',
        title: 'Content Too Large',
        detail: `The request body is too complex: ${violation}.`,
      }),
    );
  };
}
