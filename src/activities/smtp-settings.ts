/**
 * The worker's SMTP server for email notices, from its environment only: the plan names who is emailed,
 * never how to reach the server or the password, which stays in a file on the worker.
 */
import { readFileSync } from 'node:fs';
import { CutoverError } from '../errors.js';

export interface SmtpSettings {
  host: string;
  port: number;
  /** Implicit TLS (smtps://); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  user?: string;
  password?: string;
  from: string;
}

export const SMTP_VARIABLES = {
  url: 'CUTOVER_SMTP_URL',
  user: 'CUTOVER_SMTP_USER',
  passwordFile: 'CUTOVER_SMTP_PASSWORD_FILE',
  from: 'CUTOVER_SMTP_FROM',
} as const;

const DEFAULT_FROM = 'PayCA cutover <cutover@localhost>';

/** The SMTP settings the environment gives, or undefined when it names no server (email notices are then recorded as not delivered). */
export function smtpSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): SmtpSettings | undefined {
  const raw = env[SMTP_VARIABLES.url];
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CutoverError(
      'CONFIG_INVALID',
      `${SMTP_VARIABLES.url} is not a URL: write it like smtp://mail.example:587 or smtps://mail.example:465`,
    );
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new CutoverError('CONFIG_INVALID', `${SMTP_VARIABLES.url} must start with smtp:// or smtps://`);
  }
  if (url.password) {
    // The URL is printed in errors and start-up lines; the password belongs in a file only the worker reads.
    throw new CutoverError(
      'CONFIG_INVALID',
      `${SMTP_VARIABLES.url} carries a password: remove it and name a file holding it in ${SMTP_VARIABLES.passwordFile}`,
    );
  }
  const passwordFile = env[SMTP_VARIABLES.passwordFile];
  let password: string | undefined;
  if (passwordFile) {
    try {
      password = readFileSync(passwordFile, 'utf8').trim();
    } catch (err) {
      throw new CutoverError(
        'CONFIG_INVALID',
        `${SMTP_VARIABLES.passwordFile}: cannot read the SMTP password file (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      );
    }
  }
  const secure = url.protocol === 'smtps:';
  const user = env[SMTP_VARIABLES.user] || decodeURIComponent(url.username) || undefined;
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    ...(user && { user }),
    ...(password !== undefined && { password }),
    from: env[SMTP_VARIABLES.from] || DEFAULT_FROM,
  };
}

/** How status and logs name the server: scheme, host and port, never the user or password. */
export function smtpTarget(smtp: SmtpSettings): string {
  return `${smtp.secure ? 'smtps' : 'smtp'}://${smtp.host.includes(':') ? `[${smtp.host}]` : smtp.host}:${smtp.port}`;
}

/** Why email notices cannot go out from this worker, or undefined when it has an SMTP server. */
export function noSmtpReason(smtp: SmtpSettings | undefined): string | undefined {
  return smtp ? undefined : `the worker has no SMTP server (${SMTP_VARIABLES.url})`;
}

/** The worker's start-up line about email: where it sends, or that a plan's email notices will not go out. */
export function emailStartLine(smtp: SmtpSettings | undefined): string {
  return smtp
    ? `email notices go through ${smtpTarget(smtp)}`
    : `email notices cannot be sent: ${noSmtpReason(smtp)}; a cutover whose plan routes notices to an email channel says so at its start`;
}
