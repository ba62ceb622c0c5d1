import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequireRole } from '../auth';
import { mutationView } from '../common/mutation';
import { UuidParam } from '../common/params';
import { GqlRequestId } from '../graphql/request-id';
import { AFTER, DRY_RUN, EXPLAIN, FIRST, PAGE_ARGUMENT_NAMES } from '../graphql/shared.graphql-types';
import { validArgs } from '../graphql/validate-args';
import { AttachmentQuery } from './attachment.dto';
import { Attachment, AttachmentMutation, AttachmentPage, CreateAttachmentInput } from './attachments.graphql-types';
import { AttachmentsService } from './attachments.service';

/** The attachments of /v1/attachments, over GraphQL: reads need viewer, changes provisioner. */
@Resolver()
export class AttachmentsResolver {
  constructor(private readonly attachments: AttachmentsService) {}

  @Query(() => AttachmentPage, { name: 'attachments', description: 'Attachments, by id, a page at a time; on one network and/or host when given.' })
  async list(
    @Args('network', { type: () => String, nullable: true }) network: string | null,
    @Args('host', { type: () => String, nullable: true }) host: string | null,
    @Args('first', FIRST) first: number | null,
    @Args('after', AFTER) after: string | null,
  ): Promise<AttachmentPage> {
    return this.attachments.list(await validArgs(AttachmentQuery, { network, host, limit: first, cursor: after }, PAGE_ARGUMENT_NAMES));
  }

  @Query(() => Attachment, { name: 'attachment' })
  async get(@Args('id', { type: () => ID }) id: string): Promise<Attachment> {
    const params = await validArgs(UuidParam, { id });
    return this.attachments.get(params.id);
  }

  @RequireRole('provisioner')
  @Mutation(() => AttachmentMutation, { description: 'Attach a container to a network on a host; addresses are allocated from the network\'s subnets.' })
  async createAttachment(
    @Args('input', { type: () => CreateAttachmentInput }) input: CreateAttachmentInput,
    @Args('dryRun', DRY_RUN) dryRun: boolean | null,
    @Args('explain', EXPLAIN) _explain: boolean | null, // read by ExplainInterceptor
    @GqlRequestId() requestId: string | null,
  ): Promise<AttachmentMutation> {
    const outcome = await this.attachments.create(input, dryRun ?? false, requestId);
    return { attachment: (await this.attachments.views([outcome.value]))[0], ...mutationView(outcome) };
  }

  @RequireRole('provisioner')
  @Mutation(() => AttachmentMutation, { description: 'Detach: the veth, port and addresses go on the host.' })
  async deleteAttachment(@Args('id', { type: () => ID }) id: string, @Args('dryRun', DRY_RUN) dryRun: boolean | null, @Args('explain', EXPLAIN) _explain: boolean | null, @GqlRequestId() requestId: string | null): Promise<AttachmentMutation> {
    const params = await validArgs(UuidParam, { id });
    const outcome = await this.attachments.remove(params.id, dryRun ?? false, requestId);
    return { attachment: null, ...mutationView(outcome) };
  }
}
