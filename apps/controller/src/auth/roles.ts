/**
 * Who may do what. Roles are ordered: admin > provisioner > viewer, and a role holds every
 * right of the roles below it.
 *   viewer       reads only (HTTP GET/HEAD, GraphQL queries and subscriptions)
 *   provisioner  networks and attachments (write handlers marked @RequireRole('provisioner')), and reads
 *   admin        everything: hosts, OVS resources, and any write not marked otherwise
 */
import type { Role } from '../config/controller-config';

export type { Role };

const RANK: Record<Role, number> = { viewer: 1, provisioner: 2, admin: 3 };

/** Whether a principal holding `held` may do what needs `needed`. */
export function roleSatisfies(held: Role, needed: Role): boolean {
  return RANK[held] >= RANK[needed];
}

/** Whether a request reads or changes state. */
export type Access = 'read' | 'write';

/**
 * The role a request needs: the one its handler declares, else viewer for a read and
 * admin for a write (an unmarked write is an operator's business, never a viewer's).
 */
export function requiredRole(access: Access, declared: Role | undefined): Role {
  if (declared) return declared;
  return access === 'read' ? 'viewer' : 'admin';
}
