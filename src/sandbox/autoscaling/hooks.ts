/**
 * Lifecycle hooks' waits, as AWS runs them ("How lifecycle hooks work in Amazon EC2 Auto Scaling groups",
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/lifecycle-hooks-overview.html; API reference
 * PutLifecycleHook, CompleteLifecycleAction, RecordLifecycleActionHeartbeat, LifecycleHook):
 * - an instance launching or terminating in a group with hooks for that transition waits for one lifecycle
 *   action per hook, each with its own token;
 * - an action ends with CompleteLifecycleAction (CONTINUE or ABANDON), or with its hook's DefaultResult when
 *   HeartbeatTimeout elapses with no heartbeat; RecordLifecycleActionHeartbeat restarts the heartbeat timer,
 *   but the whole wait never exceeds GlobalTimeout = min(48 h, 100 × HeartbeatTimeout);
 * - the instance goes on when every action ended with CONTINUE; one ABANDON ends the wait at once (the
 *   other actions are dropped) and the caller abandons the instance.
 * Timers run on the sandbox's timers at `hookSecondMs` per second (1000 unless a test scales it).
 */
import { validationError } from '../api/errors.js';
import type { SandboxContext } from '../context.js';
import type { AutoScalingGroup, LifecycleHook, LifecycleTransition } from '../world/types.js';
import type { HooksApi, LifecycleActionRef, PendingLifecycleAction } from './lifecycle-api.js';

export type LifecycleResult = 'CONTINUE' | 'ABANDON';

/** 48 hours: the ceiling of GlobalTimeout (LifecycleHook API reference). */
const MAX_GLOBAL_TIMEOUT_SECONDS = 172_800;

/**
 * A waiting activity's StatusCode is MidLifecycleAction (Activity API reference); AWS documents no
 * StatusMessage for it, so the sandbox names the hooks waited for (what a timed-out run should name).
 */
export const waitingMessage = (hooks: string[]): string => `Waiting for lifecycle action(s) to complete: ${hooks.join(', ')}`;

export const globalTimeoutOf = (heartbeatTimeout: number): number => Math.min(MAX_GLOBAL_TIMEOUT_SECONDS, 100 * heartbeatTimeout);

interface Action {
  token: string;
  /** The hook as it was when the wait began (a later PutLifecycleHook does not change a running wait). */
  hook: LifecycleHook;
  deadlineMs: number;
  /** When the running heartbeat timer fires. */
  dueMs: number;
  timer?: NodeJS.Timeout;
}

interface Wait {
  asgName: string;
  instanceId: string;
  transition: LifecycleTransition;
  actions: Map<string, Action>;
  done: (result: LifecycleResult, why: string) => void;
}

export class LifecycleHooks implements HooksApi {
  /** Pending waits by instance id (an instance is in at most one transition at a time). */
  private readonly waits = new Map<string, Wait>();

  constructor(private readonly ctx: SandboxContext) {}

  hooksFor(asg: AutoScalingGroup, transition: LifecycleTransition): LifecycleHook[] {
    return [...(asg.lifecycleHooks?.values() ?? [])].filter((h) => h.lifecycleTransition === transition);
  }

  /**
   * Starts the wait for every hook of the group on `transition` and returns their names; [] (and `done` is
   * never called) when the group has none. `done` gets the result and why: the hook and how it ended.
   */
  begin(asg: AutoScalingGroup, instanceId: string, transition: LifecycleTransition, done: Wait['done']): string[] {
    const hooks = this.hooksFor(asg, transition);
    if (!hooks.length) return [];
    const now = this.ctx.world.now();
    const wait: Wait = { asgName: asg.name, instanceId, transition, actions: new Map(), done };
    for (const hook of hooks) {
      const action: Action = { token: this.ctx.world.newRequestId(), hook: { ...hook }, deadlineMs: now + this.ms(hook.globalTimeout), dueMs: now };
      wait.actions.set(hook.lifecycleHookName, action);
      this.arm(wait, action);
    }
    this.waits.set(instanceId, wait);
    return hooks.map((h) => h.lifecycleHookName);
  }

  pending(): PendingLifecycleAction[] {
    // A wait of a deleted group lingers until its timer fires (and finds nothing left to do): not listed.
    return [...this.waits.values()]
      .filter((w) => this.ctx.world.asgs.has(w.asgName))
      .flatMap((w) =>
        [...w.actions.values()].map((a) => ({
          asgName: w.asgName,
          instanceId: w.instanceId,
          lifecycleHookName: a.hook.lifecycleHookName,
          lifecycleTransition: w.transition,
          lifecycleActionToken: a.token,
          timesOutAt: new Date(a.dueMs).toISOString(),
        })),
      );
  }

  /** The instance left the wait some other way (terminated out of band, group deleted): drop its timers. */
  cancel(instanceId: string): void {
    const wait = this.waits.get(instanceId);
    if (!wait) return;
    for (const a of wait.actions.values()) this.ctx.timers.cancel(a.timer);
    this.waits.delete(instanceId);
  }

  complete(asg: AutoScalingGroup, hookName: string, result: LifecycleResult, ref: LifecycleActionRef): void {
    const { wait, action } = this.find(asg, hookName, ref);
    this.finish(wait, action, result, `Lifecycle Action Completed with ${result} Result`);
  }

  heartbeat(asg: AutoScalingGroup, hookName: string, ref: LifecycleActionRef): void {
    const { wait, action } = this.find(asg, hookName, ref);
    this.arm(wait, action);
  }

  /** (Re)starts the heartbeat timer, never past the global deadline; at expiry the hook's DefaultResult applies. */
  private arm(wait: Wait, action: Action): void {
    const { timers, world } = this.ctx;
    timers.cancel(action.timer);
    const left = action.deadlineMs - world.now();
    const global = left <= this.ms(action.hook.heartbeatTimeout);
    const ms = Math.min(this.ms(action.hook.heartbeatTimeout), left);
    action.dueMs = world.now() + ms;
    action.timer = timers.after(ms, () => {
      const why = global ? 'Global Timeout' : 'Heartbeat Timeout';
      this.finish(wait, action, action.hook.defaultResult, `${why} elapsed, DefaultResult ${action.hook.defaultResult} applied`);
    });
  }

  private finish(wait: Wait, action: Action, result: LifecycleResult, how: string): void {
    if (this.waits.get(wait.instanceId) !== wait) return;
    this.ctx.timers.cancel(action.timer);
    wait.actions.delete(action.hook.lifecycleHookName);
    const why = `Lifecycle Action with token ${action.token} for hook ${action.hook.lifecycleHookName}: ${how}`;
    if (result === 'ABANDON' || wait.actions.size === 0) {
      this.cancel(wait.instanceId);
      wait.done(result, why);
    }
  }

  /**
   * The pending action the call names. AWS answers a miss with ValidationError "No active Lifecycle Action
   * found with instance ID i-…" (or "… with token …"), as its users quote it (the message is not documented).
   */
  private find(asg: AutoScalingGroup, hookName: string, ref: LifecycleActionRef): { wait: Wait; action: Action } {
    const wait = ref.instanceId ? this.waits.get(ref.instanceId) : [...this.waits.values()].find((w) => [...w.actions.values()].some((a) => a.token === ref.token));
    const action = wait?.asgName === asg.name ? wait.actions.get(hookName) : undefined;
    if (wait && action && (!ref.token || action.token === ref.token)) return { wait, action };
    throw validationError(ref.token ? `No active Lifecycle Action found with token ${ref.token}` : `No active Lifecycle Action found with instance ID ${ref.instanceId ?? ''}`);
  }

  private ms(seconds: number): number {
    return seconds * (this.ctx.timings.hookSecondMs ?? 1000);
  }
}
