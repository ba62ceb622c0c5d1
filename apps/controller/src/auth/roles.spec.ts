import type { Role } from '../config/controller-config';
import { Access, requiredRole, roleSatisfies } from './roles';

describe('role hierarchy', () => {
  // held x needed -> allowed
  const table: [Role, Role, boolean][] = [
    ['admin', 'admin', true],
    ['admin', 'provisioner', true],
    ['admin', 'viewer', true],
    ['provisioner', 'admin', false],
    ['provisioner', 'provisioner', true],
    ['provisioner', 'viewer', true],
    ['viewer', 'admin', false],
    ['viewer', 'provisioner', false],
    ['viewer', 'viewer', true],
  ];
  it.each(table)('%s doing what needs %s: %s', (held, needed, allowed) => {
    expect(roleSatisfies(held, needed)).toBe(allowed);
  });
});

describe('requiredRole', () => {
  const table: [Access, Role | undefined, Role][] = [
    ['read', undefined, 'viewer'],
    ['write', undefined, 'admin'],
    ['write', 'provisioner', 'provisioner'],
    ['read', 'admin', 'admin'],
    ['write', 'viewer', 'viewer'],
  ];
  it.each(table)('%s declared %s needs %s', (access, declared, needed) => {
    expect(requiredRole(access, declared)).toBe(needed);
  });
});
