/**
 * external_ids keys that mark OVS rows the fleet owns. Rows without OWNER=OWNER_VALUE are
 * never touched. Attachment rows also carry ovs-docker's keys (libs/plumbing writes them).
 */
export const OWNER = 'ovs-fleet-owner';
export const OWNER_VALUE = 'ovs-fleet';
export const NETWORK = 'ovs-fleet-network';
export const REMOTE_HOST = 'ovs-fleet-remote-host';
/** What the row is for: 'tunnel', 'attachment', 'bridge', 'port', 'operator-tunnel'. */
export const ROLE = 'ovs-fleet-role';
