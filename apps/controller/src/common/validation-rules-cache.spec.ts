import 'reflect-metadata';
import { IsInt, IsOptional, IsString, getMetadataStorage, validate } from 'class-validator';
import { cacheValidationRules } from './validation-rules-cache';

class Base {
  @IsString({ groups: ['named'] }) name!: string;
  @IsString() kind!: string;
}

class Child extends Base {
  @IsInt() size!: number;
}

const storage = getMetadataStorage();
const rulesOf = (target: new () => object, groups?: string[]) => storage.getTargetValidationMetadatas(target, '', false, false, groups);
const described = (rules: ReturnType<typeof rulesOf>) => rules.map((rule) => `${rule.propertyName}:${rule.name ?? rule.type}`).sort();

describe('cacheValidationRules', () => {
  const uncached = { plain: described(rulesOf(Child)), named: described(rulesOf(Child, ['named'])), none: described(rulesOf(Child, [])), base: described(rulesOf(Base)) };

  beforeAll(() => cacheValidationRules());

  it('returns the rules class-validator finds (inherited ones and groups included), looked up once per class and options', () => {
    expect(uncached.plain).toEqual(['kind:isString', 'name:isString', 'size:isInt']);
    expect(uncached.named).toEqual(['name:isString']);
    const first = rulesOf(Child);
    expect(described(first)).toEqual(uncached.plain);
    expect(rulesOf(Child)).toBe(first);
    expect(described(rulesOf(Child, ['named']))).toEqual(uncached.named);
    expect(described(rulesOf(Child, []))).toEqual(uncached.none);
    expect(described(rulesOf(Base))).toEqual(uncached.base);
    expect(storage.groupByPropertyName(first)).toBe(storage.groupByPropertyName(first));
  });

  it('forgets what it remembered when a rule is registered later', async () => {
    const before = rulesOf(Child);
    IsOptional()(Child.prototype, 'note');
    IsString()(Child.prototype, 'note');
    const after = rulesOf(Child);
    expect(after).not.toBe(before);
    expect(described(after)).toEqual(['kind:isString', 'name:isString', 'note:isOptional', 'note:isString', 'size:isInt']);
    const errors = await validate(Object.assign(new Child(), { name: 'n', kind: 'k', size: 1, note: 5 }));
    expect(errors.map((error) => error.property)).toEqual(['note']);
  });

  it('validates as before: every broken rule, inherited ones too, and unknown fields refused', async () => {
    const errors = await validate(Object.assign(new Child(), { kind: 3, size: 'x', extra: true }), { whitelist: true, forbidNonWhitelisted: true });
    expect(errors.map((error) => [error.property, Object.keys(error.constraints ?? {})])).toEqual([
      ['extra', ['whitelistValidation']],
      ['size', ['isInt']],
      ['name', ['isString']],
      ['kind', ['isString']],
    ]);
  });

  it('installs once', () => {
    const installed = storage.getTargetValidationMetadatas;
    cacheValidationRules();
    expect(storage.getTargetValidationMetadatas).toBe(installed);
  });
});
