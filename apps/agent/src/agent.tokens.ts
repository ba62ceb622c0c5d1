export const AGENT_CONFIG = Symbol('AGENT_CONFIG');
export const AGENT_SETTINGS = Symbol('AGENT_SETTINGS');
