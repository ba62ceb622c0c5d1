/**
 * @deprecated Import from `@ovs-fleet/ovsdb` (or `@ovs-fleet/ovsdb/vswitch`). This path only
 * serves callers that have not moved yet, and gives them the public API, nothing more.
 */
export * from '../index';
