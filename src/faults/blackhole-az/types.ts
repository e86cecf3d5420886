/** blackhole-az's own data: its plan detail, its rollback record and its report section. */
import type { InterfaceInfo } from '../../aws/eni.js';
import type { Plan } from '../../experiment/types.js';

export { meta } from './meta.js';
import { meta } from './meta.js';
export const KIND = meta.kind;

export interface BlackholeSubnet {
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  /** Whose subnet it is: the group's instances, or the load balancer's node (--include-lb-subnets). */
  role: 'instances' | 'load-balancer';
  /** The NACL the subnet is on before the fault: what it is restored to. */
  originalNaclId: string;
}

/** A network interface in a target subnet that does not belong to the group (blast radius). */
export type SharedInterface = InterfaceInfo;

export interface BlackholePlan {
  az: string;
  /** 'flag' when --az chose it, 'random' when picked with the seed. */
  azChosenBy: 'flag' | 'random';
  durationMs: number;
  /** Added to now + duration for the chaos-ec2:expires-at tag (the recovery timeout). */
  expiryMarginMs: number;
  subnets: BlackholeSubnet[];
  vpcs: string[];
  /**
   * Network interfaces in the target subnets that belong neither to the group's instances nor (with
   * --include-lb-subnets) to its load balancer: the NACL cuts them off too. Non-empty refuses the run
   * unless --allow-shared-subnets.
   */
  sharedInterfaces?: SharedInterface[];
}

/** One ReplaceNetworkAclAssociation, as made (inject) or undone (restore). */
export interface AssociationChange {
  subnetId: string;
  purpose: 'inject' | 'restore';
  fromNaclId: string;
  toNaclId: string;
  associationId: string;
  newAssociationId: string;
  at: string;
}

/** A fresh describe after the restore: is the subnet back on its original NACL? */
export interface RestoreCheck {
  subnetId: string;
  expectedNaclId: string;
  actualNaclId: string | null;
  ok: boolean;
}

/** What a restore did: the rollback result's `detail`. */
export interface RestoreRecord {
  changes: AssociationChange[];
  verification: RestoreCheck[];
  deletedNacls: string[];
}

export interface BlackholeReport {
  az: string;
  azChosenBy: 'flag' | 'random';
  durationMs: number;
  subnets: BlackholeSubnet[];
  chaosNacls: { vpcId: string; networkAclId: string }[];
  associationChanges: AssociationChange[];
  restoreVerification: { verified: boolean; checks: RestoreCheck[] } | null;
  /** What Auto Scaling did meanwhile: instances it lost/replaced, and where the replacements went. */
  asgReaction: {
    instancesLost: { instanceId: string; availabilityZone: string; atMs: number }[];
    replacements: { instanceId: string; availabilityZone: string; atMs: number }[];
    replacementsIntoDarkAz: number;
  };
}

/** The plan's blackhole detail; the runner only hands this module plans it made itself. */
export function detailOf(plan: Plan): BlackholePlan {
  return plan.fault.detail as BlackholePlan;
}
