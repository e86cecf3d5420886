/**
 * Routes a query-protocol request to its service and action, applies the fault knobs (stalls, latency,
 * throttling, injected 5xx), and wraps the handler's result or error in that protocol's envelope.
 * The service is taken from the SigV4 signing name when the request is signed (as AWS routes by host),
 * else from the API Version. A signed request whose credential scope names another region than the
 * sandbox's, or another service than its Version speaks, is refused first (credential-scope.ts).
 */
import type { ApiContext, SandboxContext } from '../context.js';
import { parseCredentialScope, scopeError } from './credential-scope.js';
import { ApiError } from './errors.js';
import { Params } from './query.js';
import { StallGate } from './stalls.js';
import { ec2Envelope, ec2ErrorEnvelope, queryEnvelope, queryErrorEnvelope } from './xml.js';

export type Handler = (p: Params, ctx: ApiContext) => string | Promise<string>;

export interface ServiceDef {
  signingName: string;
  version: string;
  protocol: 'ec2' | 'query';
  /** awsQuery response namespace. */
  xmlns?: string;
  /** How this service says "slow down" (EC2: RequestLimitExceeded/503; others: Throttling/400). */
  throttle: { code: string; status: number; message: string };
  handlers: Record<string, Handler>;
}

/** What the fault knobs need of a service: its rate-limit bucket and how it says "slow down". */
export type KnobService = Pick<ServiceDef, 'signingName' | 'throttle'>;

export interface ApiResponse {
  status: number;
  body: string;
}

/** Token buckets per service, refilled continuously, for the apiRateLimit knob. */
class Buckets {
  private readonly state = new Map<string, { tokens: number; at: number }>();
  take(service: string, ratePerSec: number, now: number): boolean {
    const b = this.state.get(service) ?? { tokens: ratePerSec, at: now };
    b.tokens = Math.min(ratePerSec, b.tokens + ((now - b.at) / 1000) * ratePerSec);
    b.at = now;
    this.state.set(service, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}

export class Router {
  private readonly bySigningName = new Map<string, ServiceDef>();
  private readonly byVersion = new Map<string, ServiceDef>();
  private readonly buckets = new Buckets();
  private readonly stalls: StallGate;

  constructor(
    private readonly ctx: SandboxContext,
    services: ServiceDef[],
  ) {
    this.stalls = new StallGate(ctx);
    for (const s of services) {
      // Classic ELB (2012-06-01) and ELBv2 (2015-12-01) share the signing name `elasticloadbalancing`: the
      // first registered answers for the name, and the request's Version picks between them (handle()).
      if (!this.bySigningName.has(s.signingName)) this.bySigningName.set(s.signingName, s);
      this.byVersion.set(s.version, s);
    }
  }

  async handle(body: string, search: string, authorization: string | undefined): Promise<ApiResponse> {
    const requestId = this.ctx.world.newRequestId();
    const params = Params.parse(body, search);
    const scope = parseCredentialScope(authorization);
    const byVersion = params.version ? this.byVersion.get(params.version) : undefined;
    // A Version spoken under the signing name it belongs to names the service outright (the two ELB APIs).
    const versionFits = byVersion && (!scope || byVersion.signingName === scope.service);
    const service = (versionFits ? byVersion : undefined) ?? (scope ? this.bySigningName.get(scope.service) : undefined) ?? byVersion;
    if (!service) {
      // No service to shape the error: use the awsQuery envelope, which every SDK can read.
      return { status: 400, body: queryErrorEnvelope('Sender', 'InvalidAction', 'Could not determine the service from the request (no signing name or known Version).', requestId) };
    }
    if (scope) {
      // All services share one host here, so the Version the call speaks stands in for the host AWS would
      // check the scope's service against. Refused before stalls, knobs or handlers: nothing is touched.
      const called = byVersion ?? service;
      const refusal = scopeError(scope, { region: this.ctx.world.region, signingName: called.signingName });
      if (refusal) return errorResponse(called, refusal, requestId);
    }
    try {
      const action = params.action;
      if (!action) throw new ApiError('MissingAction', 'The request must contain the parameter Action');
      const handler = Object.hasOwn(service.handlers, action) ? service.handlers[action] : undefined;
      if (!handler) {
        throw new ApiError('InvalidAction', `The action ${action} is not valid for this web service.`);
      }
      // stallActions: a held call waits here, before anything it would change — or, with `applied`, after.
      const stall = this.stalls.admit(action);
      if (stall && !stall.applied) await this.stalls.hold(stall);
      await this.applyKnobs(service, action);
      this.emulatorKnobs(service, action, params);
      const result = await handler(params, { ...this.ctx, requestId });
      if (stall?.applied) await this.stalls.hold(stall);
      const xml = service.protocol === 'ec2' ? ec2Envelope(action, requestId, result) : queryEnvelope(action, service.xmlns ?? '', requestId, result);
      return { status: 200, body: xml };
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError('InternalError', `An internal error has occurred: ${(err as Error)?.message ?? String(err)}`, 500);
      return errorResponse(service, e, requestId);
    }
  }

  /**
   * The stalls and fault knobs for a call that does not come through handle() (S3's REST protocol): resolves
   * when the call may run, or throws the injected ApiError; resolves to what to await after the call ran (an
   * `applied` stall), if anything.
   */
  async gate(service: KnobService, action: string): Promise<(() => Promise<void>) | undefined> {
    const stall = this.stalls.admit(action);
    if (stall && !stall.applied) await this.stalls.hold(stall);
    await this.applyKnobs(service, action);
    return stall?.applied ? () => this.stalls.hold(stall) : undefined;
  }

  /** Answers every held call (503), so the server can close. */
  close(): void {
    this.stalls.close();
  }

  /** The ways some emulators differ from EC2 (ignoreDryRunActions, unsupportedFilters): off by default. */
  private emulatorKnobs(service: ServiceDef, action: string, params: Params): void {
    if (service.protocol !== 'ec2') return;
    const k = this.ctx.knobs;
    const missing = params.filters().find((f) => k.unsupportedFilters.includes(f.name));
    if (missing) throw new ApiError('InvalidParameterValue', `The filter '${missing.name}' is invalid`);
    if (k.ignoreDryRunActions.includes(action)) params.raw.delete('DryRun');
  }

  private async applyKnobs(service: KnobService, action: string): Promise<void> {
    const k = this.ctx.knobs;
    if (k.apiLatencyMs > 0) await new Promise((r) => setTimeout(r, k.apiLatencyMs));
    if (k.apiRateLimit > 0 && !this.buckets.take(service.signingName, k.apiRateLimit, this.ctx.world.now())) {
      throw new ApiError(service.throttle.code, service.throttle.message, service.throttle.status);
    }
    if (k.failActions.includes(action)) {
      throw new ApiError('ServiceUnavailable', `Injected failure for ${action} (sandbox knob failActions).`, 503);
    }
    if (k.apiErrorRate > 0 && this.ctx.rng.next() < k.apiErrorRate) {
      throw new ApiError('InternalError', 'An internal error has occurred (sandbox knob apiErrorRate).', 500);
    }
  }
}

/** An ApiError in the service's own protocol envelope. */
function errorResponse(service: ServiceDef, e: ApiError, requestId: string): ApiResponse {
  const xml = service.protocol === 'ec2' ? ec2ErrorEnvelope(e.code, e.message, requestId) : queryErrorEnvelope(e.type, e.code, e.message, requestId);
  return { status: e.status, body: xml };
}
