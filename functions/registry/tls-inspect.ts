/**
 * When a TLS handshake fails verification, the person paged wants to see the certificate that
 * failed: who it was issued to, by whom, and when it expires. This opens one more connection that
 * does not verify, only to read the certificate, and closes it at once. No HTTP is sent over it,
 * so no credential or token can leak to a server the probe does not trust.
 */
import { connect } from 'node:tls';
import { tlsInfoOf } from './timing.ts';
import type { TlsInfo } from './types.ts';

export async function inspectCertificate(
  hostname: string,
  port: number,
  timeoutMs: number,
  nowMs: () => number = () => Date.now(),
): Promise<TlsInfo | null> {
  return new Promise((resolve) => {
    const socket = connect({
      host: hostname,
      port,
      servername: /^[\d.]+$|:/.test(hostname) ? undefined : hostname,
      // Reading, not trusting: the certificate is shown as evidence and the socket closed.
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    });
    const done = (info: TlsInfo | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(info);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    timer.unref();
    socket.once('secureConnect', () => done(tlsInfoOf(socket, nowMs())));
    socket.once('error', () => done(null));
  });
}
