/**
 * apiextensions.k8s.io/v1 CustomResourceDefinition write rules: name defaults, the validation
 * upstream applies before it serves a definition, and the status its controllers would write
 * (names accepted, Established, storedVersions) written at once, since nothing here can conflict
 * later: conflicting names are refused up front instead.
 */
import type { StatusCause } from '../errors.ts';
import { isPlainObject } from '../json.ts';
import { schemaProblems } from '../crdSchema.ts';
import { resourceTypes } from '../resources.ts';
import type { KubeObject, StoredObject } from '../types.ts';
import { rfc3339 } from '../util.ts';
import { invalid, required, type Strategy } from './types.ts';

const kDnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const kDns1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const kSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const kColumnTypes = ['integer', 'number', 'string', 'boolean', 'date'];

/** Groups the built-in types serve; a definition may not add kinds to them. */
const kBuiltinGroups = new Set(resourceTypes.map((t) => t.group));

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema?: { openAPIV3Schema?: unknown };
  subresources?: { status?: unknown; scale?: unknown };
  additionalPrinterColumns?: Array<{ name: string; type: string; jsonPath: string; priority?: number }>;
}

export function versionsOf(crd: KubeObject): CrdVersion[] {
  return Array.isArray(crd.spec?.versions) ? (crd.spec.versions as CrdVersion[]) : [];
}

function defaultNames(obj: KubeObject): void {
  const names = obj.spec?.names;
  if (!isPlainObject(names) || typeof names.kind !== 'string') return;
  if (names.singular === undefined || names.singular === '') names.singular = names.kind.toLowerCase();
  if (names.listKind === undefined || names.listKind === '') names.listKind = `${names.kind}List`;
  if (isPlainObject(obj.spec) && obj.spec.conversion === undefined)
    obj.spec.conversion = { strategy: 'None' };
}

function condition(type: string, reason: string, message: string, now: string): Record<string, unknown> {
  return { type, status: 'True', lastTransitionTime: now, reason, message };
}

function acceptedNames(obj: KubeObject): Record<string, unknown> {
  const { plural, singular, kind, listKind, shortNames, categories } = obj.spec?.names ?? {};
  return {
    plural,
    singular,
    kind,
    listKind,
    ...(shortNames?.length ? { shortNames } : {}),
    ...(categories?.length ? { categories } : {}),
  };
}

function storageVersion(obj: KubeObject): string | undefined {
  return versionsOf(obj).find((v) => v.storage)?.name;
}

function validateVersions(obj: KubeObject): StatusCause[] {
  const versions = obj.spec?.versions;
  if (!Array.isArray(versions) || versions.length === 0) return [required('spec.versions')];
  const causes: StatusCause[] = [];
  const seen = new Set<string>();
  versions.forEach((v: CrdVersion, i) => {
    const p = `spec.versions[${i}]`;
    if (!isPlainObject(v)) return void causes.push(invalid(p, 'Invalid value: must be an object'));
    if (typeof v.name !== 'string' || !kDns1035.test(v.name))
      causes.push(
        invalid(
          `${p}.name`,
          `Invalid value: ${JSON.stringify(v.name)}: a version must be a DNS-1035 label such as v1 or v1alpha1`,
        ),
      );
    else if (seen.has(v.name))
      causes.push({
        reason: 'FieldValueDuplicate',
        field: `${p}.name`,
        message: `Duplicate value: "${v.name}"`,
      });
    else seen.add(v.name);
    if (typeof v.served !== 'boolean') causes.push(required(`${p}.served`));
    if (typeof v.storage !== 'boolean') causes.push(required(`${p}.storage`));
    causes.push(...schemaProblems(v.schema?.openAPIV3Schema, `${p}.schema.openAPIV3Schema`));
    (v.additionalPrinterColumns ?? []).forEach((c, j) => {
      const cp = `${p}.additionalPrinterColumns[${j}]`;
      if (!c?.name) causes.push(required(`${cp}.name`));
      if (!c?.jsonPath) causes.push(required(`${cp}.jsonPath`));
      if (!kColumnTypes.includes(c?.type))
        causes.push({
          reason: 'FieldValueNotSupported',
          field: `${cp}.type`,
          message: `Unsupported value: ${JSON.stringify(c?.type)}: supported values: ${kColumnTypes.map((t) => `"${t}"`).join(', ')}`,
        });
    });
  });
  const storage = versions.filter((v: CrdVersion) => v?.storage === true).length;
  if (storage !== 1)
    causes.push(
      invalid(
        'spec.versions',
        `Invalid value: must have exactly one version marked as storage version, found ${storage}`,
      ),
    );
  return causes;
}

function validateCrd(obj: KubeObject, old: StoredObject | undefined): StatusCause[] {
  const spec = obj.spec;
  if (!isPlainObject(spec)) return [required('spec')];
  const causes: StatusCause[] = [];
  const group = spec.group;
  const names = isPlainObject(spec.names) ? spec.names : {};
  if (typeof group !== 'string' || !group) causes.push(required('spec.group'));
  else if (!kSubdomain.test(group) || !group.includes('.'))
    causes.push(invalid('spec.group', `Invalid value: "${group}": should be a domain with at least one dot`));
  else if (kBuiltinGroups.has(group))
    causes.push(invalid('spec.group', `Invalid value: "${group}": is served by the API server itself`));
  for (const key of ['plural', 'singular'] as const) {
    const v = names[key];
    if (typeof v !== 'string' || !kDnsLabel.test(v))
      causes.push(
        invalid(
          `spec.names.${key}`,
          `Invalid value: ${JSON.stringify(v)}: a lowercase RFC 1123 label is required`,
        ),
      );
  }
  if (typeof names.kind !== 'string' || !/^[A-Za-z][A-Za-z0-9]*$/.test(names.kind))
    causes.push(required('spec.names.kind'));
  if (names.shortNames !== undefined && !Array.isArray(names.shortNames))
    causes.push(invalid('spec.names.shortNames', 'Invalid value: must be a list of strings'));
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster')
    causes.push({
      reason: 'FieldValueNotSupported',
      field: 'spec.scope',
      message: `Unsupported value: ${JSON.stringify(spec.scope)}: supported values: "Cluster", "Namespaced"`,
    });
  if (!causes.length && obj.metadata.name !== `${names.plural}.${group}`)
    causes.push(
      invalid(
        'metadata.name',
        `Invalid value: "${obj.metadata.name}": must be spec.names.plural+"."+spec.group`,
      ),
    );
  if (old && old.spec?.scope !== spec.scope)
    causes.push(invalid('spec.scope', 'Invalid value: field is immutable'));
  return [...causes, ...validateVersions(obj)];
}

export const crdStrategy: Strategy = {
  prepareForCreate: (obj) => defaultNames(obj),
  prepareForUpdate(obj, old, ctx) {
    defaultNames(obj);
    // Stands in for the naming and storage-version controllers: status follows the spec.
    const status = { ...(old.status ?? {}) };
    status.acceptedNames = acceptedNames(obj);
    const stored = new Set<string>(status.storedVersions ?? []);
    const sv = storageVersion(obj);
    if (sv && !stored.has(sv)) status.storedVersions = [...stored, sv];
    if (!status.conditions) status.conditions = initialConditions(rfc3339(ctx.now));
    obj.status = status;
  },
  validate: validateCrd,
  initialStatus: (obj) => {
    const sv = storageVersion(obj);
    return {
      acceptedNames: acceptedNames(obj),
      conditions: initialConditions(obj.metadata.creationTimestamp ?? ''),
      storedVersions: sv ? [sv] : [],
    };
  },
};

function initialConditions(now: string): Record<string, unknown>[] {
  return [
    condition('NamesAccepted', 'NoConflicts', 'no conflicts found', now),
    condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted', now),
  ];
}
