import { cidrContains } from '@ovs-fleet/iproute';
import type { AttachmentRecord, NetworkRecord } from '@ovs-fleet/contracts';
import { addressFamily, type AddressFamily } from './address-family';
import { DesiredStateInputError } from './errors';

/**
 * The default gateway of one family for an attachment that routes through its subnets'
 * gateways: the gateway of the subnet holding its first address of that family. Null when
 * the attachment does not use gateways, has no address of that family, or its subnet has
 * no gateway.
 */
export function attachmentGateway(attachment: AttachmentRecord, network: NetworkRecord, family: AddressFamily): string | null {
  if (!attachment.gateway) return null;
  const address = attachment.addresses
    .map((withPrefix) => withPrefix.split('/')[0])
    .find((bare) => addressFamily(bare, `attachment ${attachment.id} address`) === family);
  if (address === undefined) return null;
  const subnet = network.subnets.find((s) => cidrContains(s.cidr, address));
  if (!subnet) throw new DesiredStateInputError(`attachment "${attachment.id}": address ${address} is in no subnet of network "${network.name}"`);
  return subnet.gateway;
}
