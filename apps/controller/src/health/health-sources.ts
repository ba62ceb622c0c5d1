/** What other features tell /health; each callback is optional. */
export interface HostAge {
  id: string;
  /** Seconds since the host's agent was last heard from. */
  ageSeconds: number;
}

export interface HealthSources {
  /** Converge jobs waiting over every host queue. */
  queueBacklog?: () => Promise<number>;
  /** Every host seen, with the age of its last heartbeat. */
  hosts?: () => Promise<HostAge[]>;
}

/** Provide this (see HealthModule.withSources) to fill the report; without it the report has no backlog or hosts. */
export const HEALTH_SOURCES = Symbol('HEALTH_SOURCES');
