/**
 * GraphQL errors in the API's one error shape (common/api-errors.ts): the message, and in
 * `extensions` the same `code`, `status`, `field` and `details` a REST body carries, plus
 * the `requestId` when the request has one (put in by requestIdInErrors: Apollo's
 * `formatError` does not see the request).
 */
import type { ApolloDriverConfig } from '@nestjs/apollo';
import { Logger } from '@nestjs/common';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { ApiError, ApiErrorCode, FieldProblem } from '../common/api-errors';
import { toApiError } from '../common/api-exception.filter';
import type { GraphqlAuthContext } from '../auth';

export interface ApiErrorExtensions {
  [key: string]: unknown;
  code: ApiErrorCode;
  status: number;
  field: string | null;
  details: FieldProblem[];
  requestId?: string;
}

/** Apollo's codes for a request refused before any resolver ran: the caller's document or variables are wrong. */
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

const NAME = '[_A-Za-z][_0-9A-Za-z]*';

/** Variable "$input" got invalid value {...} at "input.subnets[0]"; <why, maybe naming a field> */
const INVALID_VARIABLE = new RegExp(`^Variable "\\$(${NAME})" got invalid value .*?(?: at "([^"]+)")?; (.*)$`, 's');
/** Why an input object is refused, naming one of its fields: unknown, or required and missing. */
const FIELD_OF_OBJECT = new RegExp(`^Field "(?:${NAME}\\.)?(${NAME})" (?:is not defined by type|of required type)`);
/** Messages naming an argument or variable outright. */
const NAMED = [
  new RegExp(`^Variable "\\$(${NAME})"`), // ... of required type "ID!" was not provided. / ... must not be null.
  new RegExp(`^Field "${NAME}" argument "(${NAME})" of type`), // ... is required, but it was not provided.
  new RegExp(`^Unknown argument "(${NAME})"`),
];

/**
 * A variable's path without the variable itself: an input object's fields are named as in
 * the REST body (`subnets[0].cidr`, not `input.subnets[0].cidr`), as the validation pipe names them.
 */
function withoutVariable(path: string, variable: string): string | null {
  if (path === variable) return null;
  return path.startsWith(`${variable}.`) ? path.slice(variable.length + 1) : path;
}

/** The input field a graphql-js request error is about, when its message names one. */
export function inputFieldOf(message: string): string | null {
  const invalid = INVALID_VARIABLE.exec(message);
  if (invalid) {
    const [, variable, path, why] = invalid;
    const base = path === undefined ? null : withoutVariable(path, variable);
    const field = FIELD_OF_OBJECT.exec(why)?.[1];
    if (field) return base ? `${base}.${field}` : field;
    return base ?? variable;
  }
  const field = FIELD_OF_OBJECT.exec(message)?.[1];
  if (field) return field;
  for (const pattern of NAMED) {
    const match = pattern.exec(message);
    if (match) return match[1];
  }
  return null;
}

/** The innermost error under GraphQL's wrappers (a resolver's, a guard's, a pipe's, a subscription source's). */
function innermost(error: unknown): unknown {
  let current = error;
  while (current instanceof GraphQLError && current.originalError) current = current.originalError;
  return current;
}

/**
 * Refused before execution: a parse or validation error, or variables that do not fit their
 * types. Such errors point into the document (locations) or carry one of Apollo's request
 * codes; an execution error has a path instead, and a subscription source's failure neither.
 */
function isRequestError(error: unknown): error is GraphQLError {
  if (!(error instanceof GraphQLError) || error.path) return false;
  return REQUEST_ERROR_CODES.has(String(error.extensions?.code)) || (error.locations?.length ?? 0) > 0 || error.nodes !== undefined;
}

/** Any error reaching the GraphQL layer, as an ApiError (what REST would have answered). */
export function apiErrorOf(error: unknown): ApiError {
  const inner = innermost(error);
  if (inner instanceof ApiError) return inner;
  if (isRequestError(error)) {
    const field = inputFieldOf(error.message);
    return new ApiError(400, 'VALIDATION_FAILED', error.message, field, field ? [{ field, message: error.message }] : []);
  }
  return toApiError(inner);
}

export function apiErrorExtensions(error: ApiError): ApiErrorExtensions {
  return { code: error.code, status: error.status, field: error.field, details: error.details };
}

const logger = new Logger('graphql');

/** Apollo's `formatError` (and graphql-ws's, for subscriptions): the message and extensions of the one error shape. */
export function formatGraphqlError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const apiError = apiErrorOf(error);
  if (apiError.status >= 500) {
    const inner = innermost(error);
    logger.error(inner instanceof Error ? (inner.stack ?? inner.message) : String(inner));
  }
  return {
    message: apiError.message,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: apiErrorExtensions(apiError),
  };
}

/** For graphql-ws, which formats nothing itself. */
export function formatGraphqlErrors(errors: readonly GraphQLError[]): GraphQLFormattedError[] {
  return errors.map((error) => formatGraphqlError(error.toJSON(), error));
}

/**
 * Apollo plugin: every error of a response over HTTP names the request's id in its extensions.
 * (Subscriptions over graphql-ws have no HTTP request, so no id.)
 */
export const requestIdInErrors: NonNullable<ApolloDriverConfig['plugins']>[number] = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, response }) {
        const requestId = (contextValue as GraphqlAuthContext).req?.id;
        if (typeof requestId !== 'string' || response.body.kind !== 'single' || !response.body.singleResult.errors) return;
        response.body.singleResult.errors = response.body.singleResult.errors.map((error) => ({ ...error, extensions: { ...error.extensions, requestId } }));
      },
    };
  },
};
