import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { ContainerRef as ContainerRefRecord } from '@ovs-fleet/contracts';
import { MutationResult, Page } from '../graphql/shared.graphql-types';
import { AttachmentStatusView, AttachmentView, ContainerRefDto, CreateAttachmentDto, RouteDto } from './attachment.dto';

export const AttachmentStateEnum = { pending: 'pending', applied: 'applied' } as const;
registerEnumType(AttachmentStateEnum, { name: 'AttachmentState', description: 'applied once the host\'s agent applied a revision that includes the attachment.' });

// Inputs: the REST DTOs with their class-validator rules inherited, fields declared for GraphQL.

@InputType({ description: 'Exactly one of dockerContainer, pid, path, netns.' })
export class ContainerRefInput extends ContainerRefDto {
  @Field(() => String, { nullable: true, description: 'Docker/podman container name or id.' }) declare dockerContainer?: string;
  @Field(() => Int, { nullable: true, description: 'A process in the container\'s network namespace.' }) declare pid?: number;
  @Field(() => String, { nullable: true, description: '/proc/PID/ns/net or /var/run/netns/NAME.' }) declare path?: string;
  @Field(() => String, { nullable: true, description: 'A namespace name as `ip netns` knows it.' }) declare netns?: string;
}

@InputType()
export class RouteInput extends RouteDto {
  @Field(() => String, { description: 'A CIDR.' }) declare to: string;
  @Field(() => String, { nullable: true }) declare via?: string;
}

@InputType()
export class CreateAttachmentInput extends CreateAttachmentDto {
  @Field(() => String) declare network: string;
  @Field(() => String) declare host: string;
  @Field(() => ContainerRefInput) declare container: ContainerRefInput;
  @Field(() => String, { nullable: true, description: 'Interface name in the container (default eth0).' }) declare ifname?: string;
  @Field(() => String, { nullable: true, description: 'Generated (stable, locally administered) when omitted.' }) declare mac?: string;
  @Field(() => [String], { nullable: true, description: 'Requested addresses (no prefix), at most one per subnet; the others are allocated.' }) declare addresses?: string[];
  @Field(() => Boolean, { nullable: true, description: 'Default route through the subnets\' gateways (default true).' }) declare gateway?: boolean;
  @Field(() => [RouteInput], { nullable: true }) declare routes?: RouteInput[];
}

// Outputs.

@ObjectType({ description: 'How the container is found: one of the fields is set.' })
export class ContainerRef {
  @Field(() => String, { nullable: true }) dockerContainer?: string;
  @Field(() => Int, { nullable: true }) pid?: number;
  @Field(() => String, { nullable: true }) path?: string;
  @Field(() => String, { nullable: true }) netns?: string;
}

@ObjectType()
export class Route {
  @Field(() => String) to!: string;
  @Field(() => String, { nullable: true }) via!: string | null;
}

@ObjectType()
export class AttachmentStatus implements AttachmentStatusView {
  @Field(() => AttachmentStateEnum) state!: 'pending' | 'applied';
  @Field(() => Boolean) hostConnected!: boolean;
}

@ObjectType({ description: 'A container\'s interface on a network.' })
export class Attachment implements AttachmentView {
  @Field(() => ID) id!: string;
  @Field(() => String) network!: string;
  @Field(() => String) host!: string;
  @Field(() => ContainerRef) container!: ContainerRefRecord;
  @Field(() => String) ifname!: string;
  @Field(() => String) mac!: string;
  @Field(() => [String], { description: 'With their prefix length, e.g. 198.18.0.5/24.' }) addresses!: string[];
  @Field(() => Boolean) gateway!: boolean;
  @Field(() => [Route]) routes!: Route[];
  @Field(() => String) createdAt!: string;
  @Field(() => Int, { description: 'The host revision that first includes this attachment.' }) revision!: number;
  @Field(() => AttachmentStatus) status!: AttachmentStatus;
}

@ObjectType()
export class AttachmentPage extends Page {
  @Field(() => [Attachment]) items!: Attachment[];
}

@ObjectType()
export class AttachmentMutation extends MutationResult {
  @Field(() => Attachment, { nullable: true, description: 'null when deleted.' }) attachment!: Attachment | null;
}
