/**
 * Every error the API returns, in one JSON shape for REST (and as GraphQL error extensions):
 *   { "error": { "status": 409, "code": "CONFLICT", "message": "...", "field": "segmentId",
 *                "details": [{ "field": "...", "message": "..." }] }, "requestId": "..." }
 * A service throws one of these; the exception filter turns it into the response.
 */

export interface FieldProblem {
  field: string;
  message: string;
}

export type ApiErrorCode =
  | 'VALIDATION_FAILED'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly field: string | null = null,
    readonly details: FieldProblem[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }

  toJSON(): { status: number; code: ApiErrorCode; message: string; field: string | null; details: FieldProblem[] } {
    return { status: this.status, code: this.code, message: this.message, field: this.field, details: this.details };
  }
}

/** 400: the request is malformed; `field` names the first bad field, `details` all of them. */
export class BadRequestError extends ApiError {
  constructor(field: string, message: string, details: FieldProblem[] = [{ field, message }]) {
    super(400, 'VALIDATION_FAILED', `${field}: ${message}`, field, details);
  }

  static of(problems: FieldProblem[]): BadRequestError {
    const [first] = problems;
    return new BadRequestError(first.field, problems.map((p) => `${p.field}: ${p.message}`).join('; ').slice(first.field.length + 2), problems);
  }
}

/** 404: a referenced resource does not exist; `field` names where the reference came from. */
export class NotFoundError extends ApiError {
  constructor(field: string, message: string) {
    super(404, 'NOT_FOUND', message, field, [{ field, message }]);
  }
}

/** 409: the request conflicts with the current state (name taken, address in use, in use). */
export class ConflictError extends ApiError {
  constructor(field: string, message: string) {
    super(409, 'CONFLICT', message, field, [{ field, message }]);
  }
}

export class UnauthenticatedError extends ApiError {
  constructor(message = 'a valid bearer token is required (Authorization: Bearer <token>)') {
    super(401, 'UNAUTHENTICATED', message);
  }
}

export class ForbiddenError extends ApiError {
  constructor(message: string) {
    super(403, 'FORBIDDEN', message);
  }
}

export class UnavailableError extends ApiError {
  constructor(message: string) {
    super(503, 'UNAVAILABLE', message);
  }
}
