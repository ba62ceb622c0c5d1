import type { ContainerRef } from '@ovs-fleet/contracts';
import { BadRequestError } from '../common/api-errors';
import type { ContainerRefDto } from './attachment.dto';

/** Exactly one way to find the container, as the stored ContainerRef. */
export function containerRef(dto: ContainerRefDto, field = 'container'): ContainerRef {
  const given = (['dockerContainer', 'pid', 'path', 'netns'] as const).filter((key) => dto[key] !== undefined);
  if (given.length !== 1) {
    throw new BadRequestError(field, given.length === 0 ? 'give one of dockerContainer, pid, path or netns' : `give only one of ${given.join(', ')}`);
  }
  if (dto.dockerContainer !== undefined) return { dockerContainer: dto.dockerContainer };
  if (dto.pid !== undefined) return { pid: dto.pid };
  if (dto.path !== undefined) return { path: dto.path };
  return { netns: dto.netns as string };
}
