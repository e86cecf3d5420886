/**
 * What a region name looks like, checked before any client is built or a sandbox pretends to be one.
 *
 * The shape of a region name, as the SDK's own partition table spells it (regionRegex of each partition in
 * @aws-sdk/core's util-endpoints partitions: aws, aws-cn, aws-us-gov, aws-iso*, aws-eusc), plus the SDK's
 * `fips-`/`-fips` pseudo-region forms. Only the shape: whether the region exists is AWS's to say.
 */
const REGION_NAME = /^(?:(?:us|eu|ap|sa|ca|me|af|il|mx|cn)|us-gov|us-iso|us-isob|us-isof|eu-isoe|eusc-de)-\w+-\d+$/;

export function isRegionName(region: string): boolean {
  return REGION_NAME.test(region.replace(/^fips-|-fips$/, ''));
}

export const REGION_EXAMPLE = '(e.g. eu-west-1)';
