// libs/iproute: programs run with argument arrays (never a shell), iproute2 through
// `ip -json` / `ip -batch`, and validation of names and addresses.
export { CommandError, run, prepare } from './exec';
export type { RunOptions, RunResult, PreparedCommand } from './exec';
export { ValidationError, assertInterfaceName, assertNetnsName, assertMac, assertIp, parseCidr } from './names';
export type { IpFamily, Cidr } from './names';
export { ipv4ToInt, intToIpv4, cidrsOverlap, cidrContains } from './address';
export { ip, ipJson, ipBatch, formatBatch, listLinks, listAddresses, listRoutes, listNetns } from './ip';
export type { IpOptions, IpLink, IpAddrInfo, IpAddr, IpRoute } from './ip';
export { IpBatchSession } from './ip-session';
export type { IpBatchSessionOptions } from './ip-session';
