/**
 * Sending one rendered message: a webhook through node:http(s) (HttpTransport, the api
 * executor's transport: proxies from the environment honoured), an email through nodemailer,
 * loaded on first use (src/main/lazy-package.ts) so the idle service does not pay for it.
 * Each send resolves when the message was accepted and throws with the reason otherwise.
 */
import type * as Nodemailer from 'nodemailer';
import type { EmailChannel, WebhookChannel } from '../../shared/alerts';
import { HttpTransport } from '../executors/http-transport';
import { lazyPackage } from '../lazy-package';
import type { RenderedMessage } from './alert-message';

const nodemailer = lazyPackage<typeof Nodemailer>('nodemailer');

/** How long one attempt may take before it counts as failed. */
export const DEFAULT_SEND_TIMEOUT_MS = 10_000;

/**
 * The desktop app's OS notifications, the `desktop` channel's port: only the desktop composition
 * provides one (src/main/electron/notifications.ts), so the headless service refuses the channel.
 * `show` throws with the reason when the notification cannot be shown; clicking a shown one opens
 * the run (`runId`; absent for `alerts.test`).
 */
export interface DesktopNotifier {
  show(message: { title: string; body: string; runId?: string }): void | Promise<void>;
}

/** Why a core without a notifier refuses the `desktop` channel. */
export const NO_DESKTOP_NOTIFIER =
  'desktop notifications exist only in the desktop app; use a webhook or an email channel here';

export interface AlertSenders {
  webhook(channel: WebhookChannel, message: string, timeoutMs: number): Promise<void>;
  email(
    channel: EmailChannel,
    message: Extract<RenderedMessage, { kind: 'email' }>,
    timeoutMs: number,
  ): Promise<void>;
  close(): void;
}

function webhookSender(): AlertSenders['webhook'] & { close(): void } {
  let transport: HttpTransport | undefined;
  const send = async (channel: WebhookChannel, body: string, timeoutMs: number): Promise<void> => {
    transport ??= new HttpTransport(4);
    const signal = AbortSignal.timeout(timeoutMs);
    let exchange;
    try {
      exchange = await transport.send({
        url: new URL(channel.url),
        method: channel.method,
        headers: { 'content-type': 'application/json', ...channel.headers },
        body: Buffer.from(body),
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw new Error(`timed out after ${timeoutMs} ms`);
      throw new Error(`could not reach the webhook: ${(error as Error).message}`);
    }
    exchange.body.resume();
    if (exchange.status < 200 || exchange.status > 299) {
      throw new Error(`the webhook answered HTTP ${exchange.status} ${exchange.statusText}`.trim());
    }
  };
  return Object.assign(send, { close: () => transport?.destroy() });
}

async function sendEmail(
  channel: EmailChannel,
  message: Extract<RenderedMessage, { kind: 'email' }>,
  timeoutMs: number,
): Promise<void> {
  const transport = nodemailer().createTransport({
    host: channel.host,
    port: channel.port,
    secure: channel.tls,
    ...(channel.user ? { auth: { user: channel.user, pass: channel.password ?? '' } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    await transport.sendMail({
      from: channel.from,
      to: channel.to,
      subject: message.subject,
      text: message.text,
    });
  } catch (error) {
    throw new Error(`the mail server refused or failed: ${(error as Error).message}`);
  } finally {
    transport.close();
  }
}

/** The real senders (tests pass their own only to count calls; the channels are real servers). */
export function createSenders(): AlertSenders {
  const webhook = webhookSender();
  return { webhook, email: sendEmail, close: () => webhook.close() };
}
