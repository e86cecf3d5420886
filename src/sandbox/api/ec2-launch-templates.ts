/**
 * Launch templates: CreateLaunchTemplate and DescribeLaunchTemplates. The sandbox keeps one version per
 * template (ImageId, InstanceType and the market type are all an instance needs here); Auto Scaling
 * launches from them.
 */
import type { LaunchTemplate } from '../world/types.js';
import type { World } from '../world/world.js';
import { ApiError } from './errors.js';
import { applyFilters, applyTags, byCreation, dryRunGate, nextToken, page, readTagSpecifications, tagSet } from './ec2-common.js';
import type { Handler } from './router.js';
import { el, list, node } from './xml.js';

/** EC2's rule for template names: 3–128 characters from letters, digits and ( ) . - / _ */
const NAME_RE = /^[a-zA-Z0-9().\-/_]{3,128}$/;

function templateXml(world: World, t: LaunchTemplate): string {
  return (
    el('launchTemplateId', t.launchTemplateId) +
    el('launchTemplateName', t.launchTemplateName) +
    el('createTime', t.createTime) +
    el('createdBy', `arn:aws:iam::${world.accountId}:user/chaos-sandbox`) +
    el('defaultVersionNumber', t.defaultVersionNumber) +
    el('latestVersionNumber', t.latestVersionNumber) +
    tagSet(world, t.launchTemplateId)
  );
}

const createLaunchTemplate: Handler = (p, { world }) => {
  const name = p.str('LaunchTemplateName');
  if (!name) throw new ApiError('MissingParameter', 'The request must contain the parameter LaunchTemplateName');
  if (!NAME_RE.test(name)) {
    throw new ApiError('InvalidLaunchTemplateName.MalformedException', `The launch template name '${name}' is invalid.`);
  }
  if ([...world.launchTemplates.values()].some((t) => t.launchTemplateName === name)) {
    throw new ApiError('InvalidLaunchTemplateName.AlreadyExistsException', `Launch template name already in use.`);
  }
  const data = p.struct('LaunchTemplateData');
  if (!data) throw new ApiError('MissingParameter', 'The request must contain the parameter LaunchTemplateData');
  const tags = readTagSpecifications(p, 'launch-template');
  // InstanceMarketOptions.MarketType=spot: instances launched from the template (by RunInstances or Auto
  // Scaling) are Spot Instances of one-time requests (EC2 API Reference, LaunchTemplateInstanceMarketOptions).
  const marketType = data.struct('InstanceMarketOptions')?.str('MarketType');
  if (marketType !== undefined && marketType !== 'spot') {
    throw new ApiError('InvalidParameterValue', `Value (${marketType}) for parameter InstanceMarketOptions.MarketType is not supported by the sandbox (spot only)`);
  }
  dryRunGate(p);
  const template: LaunchTemplate = {
    launchTemplateId: world.newId('lt'),
    launchTemplateName: name,
    // A template may leave these out on AWS too; a launch from it then has to supply them.
    imageId: data.str('ImageId') ?? '',
    instanceType: data.str('InstanceType') ?? '',
    ...(marketType === 'spot' ? { marketType } : {}),
    createTime: new Date(world.now()),
    latestVersionNumber: 1,
    defaultVersionNumber: 1,
  };
  world.launchTemplates.set(template.launchTemplateId, template);
  applyTags(world, template.launchTemplateId, tags);
  return node('launchTemplate', templateXml(world, template));
};

const describeLaunchTemplates: Handler = (p, { world }) => {
  const ids = p.list('LaunchTemplateId');
  const names = p.list('LaunchTemplateName');
  const all = [...world.launchTemplates.values()];
  const missingId = ids.find((id) => !world.launchTemplates.has(id));
  if (missingId) {
    throw new ApiError('InvalidLaunchTemplateId.NotFound', `The specified launch template, with template ID ${missingId}, does not exist.`);
  }
  if (names.some((n) => !all.some((t) => t.launchTemplateName === n))) {
    throw new ApiError('InvalidLaunchTemplateName.NotFoundException', 'At least one of the launch templates specified in the request does not exist.');
  }
  const base = ids.length || names.length ? all.filter((t) => ids.includes(t.launchTemplateId) || names.includes(t.launchTemplateName)) : all;
  const matched = applyFilters(base, p, { 'launch-template-name': (t) => t.launchTemplateName, 'create-time': (t) => t.createTime.toISOString() }, (t) => world.tagsOf(t.launchTemplateId));
  const { page: items, next } = page(matched, p, (t) => byCreation(world, t.launchTemplateId), { min: 1, max: 200 });
  dryRunGate(p);
  return list('launchTemplates', items, (t) => templateXml(world, t), 'item') + nextToken(next);
};

export const LAUNCH_TEMPLATE_HANDLERS: Record<string, Handler> = {
  CreateLaunchTemplate: createLaunchTemplate,
  DescribeLaunchTemplates: describeLaunchTemplates,
};
