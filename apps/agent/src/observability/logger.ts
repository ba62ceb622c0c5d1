import pino from 'pino';
import type { LogLevel } from '../config/agent-settings';

export type AgentLogger = pino.Logger;

/**
 * JSON lines on standard output (or `destination`), each naming the host; a job's lines
 * also carry its requestIds and jobId (child loggers). Redis URLs are never logged whole:
 * they carry the agent's password.
 */
export function createAgentLogger(hostId: string, level: LogLevel, destination?: pino.DestinationStream): AgentLogger {
  return pino({ level, base: { hostId }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

/** A Redis URL fit for a log line: the password replaced. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
