import { ValidationError, ValidationPipe } from '@nestjs/common';
import { BadRequestError, FieldProblem } from './api-errors';
import { cacheValidationRules } from './validation-rules-cache';

/** class-validator's nested errors as flat field paths: `subnets[0].cidr`. */
export function fieldProblems(errors: ValidationError[], parent = ''): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const error of errors) {
    const key = /^\d+$/.test(error.property) ? `[${error.property}]` : error.property;
    const path = parent ? (key.startsWith('[') ? `${parent}${key}` : `${parent}.${key}`) : key;
    for (const [constraint, message] of Object.entries(error.constraints ?? {})) {
      problems.push({
        field: path,
        message: constraint === 'whitelistValidation' ? 'is not a known field' : message.startsWith(`${error.property} `) ? message.slice(error.property.length + 1) : message,
      });
    }
    if (error.children?.length) problems.push(...fieldProblems(error.children, path));
  }
  return problems;
}

/** Validates every DTO: unknown fields refused, values not coerced behind the caller's back. */
export function apiValidationPipe(): ValidationPipe {
  cacheValidationRules();
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    stopAtFirstError: false,
    exceptionFactory: (errors) => BadRequestError.of(fieldProblems(errors)),
  });
}
