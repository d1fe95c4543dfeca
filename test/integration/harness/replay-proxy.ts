/**
 * A replay proxy: the real distribution registry behind it answers everything, except the
 * requests a real registry's captured answer (./captures) is replayed for, which get that
 * capture's status, headers and body. The probe thus walks a real handshake and a real image and
 * meets the other registry's dialect exactly where that registry would have spoken it.
 *
 * Built on the fault proxy's status fault (fault-proxy.ts), which answers a HEAD without a body,
 * as every registry does.
 */
import { type Capture, filledResponse, type ReplayValues } from './captures/types.ts';
import { type FaultProxy, type FaultProxyOptions, startFaultProxy } from './fault-proxy.ts';

export interface ReplayProxy extends FaultProxy {
  /** Answers requests matching the capture's path with the capture, until `passThrough()`. */
  replay(capture: Capture, values: ReplayValues): void;
  /** Lets every request through to the registry again. */
  passThrough(): void;
}

export async function startReplayProxy(options: FaultProxyOptions): Promise<ReplayProxy> {
  const proxy = await startFaultProxy(options);
  return {
    ...proxy,
    replay(capture, values) {
      const response = filledResponse(capture, values);
      proxy.setFaults({
        match: capture.path,
        status: { code: response.status, headers: response.headers, body: response.body },
      });
    },
    passThrough: () => proxy.clearFaults(),
  };
}
