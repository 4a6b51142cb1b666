/**
 * Validation of built Kubernetes objects against the API's own schemas, from two well-kept
 * packages generated from the Kubernetes OpenAPI spec: kubernetes-models (types, required fields,
 * enums, formats: its compiled JSON-schema validators) and @kubernetes/client-node's model
 * attribute maps (every field the API knows), which make the check strict like
 * `kubectl --validate=strict`: a misspelt or misplaced field is an error, not silently dropped.
 */
import * as k8s from '@kubernetes/client-node';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

type Model = { getAttributeTypeMap(): Array<{ baseName: string; type: string }> };
const models = k8s as unknown as Record<string, Model | undefined>;

export function objectLabel(o: KubeObject): string {
  return `${o.kind}/${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`;
}

/** client-node's model class of a kind: `V1Deployment`, `V2HorizontalPodAutoscaler`, `CoreV1Event`. */
function modelOf(apiVersion: string, kind: string): string | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const ver = (version ?? '').charAt(0).toUpperCase() + (version ?? '').slice(1);
  const prefix = group ? group.split('.')[0]!.replace(/^./, (c) => c.toUpperCase()) : 'Core';
  return [`${ver}${kind}`, `${prefix}${ver}${kind}`].find((n) => models[n]?.getAttributeTypeMap);
}

function unknownFields(value: unknown, type: string, at: string, out: string[]): void {
  if (value === null || value === undefined) return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (Array.isArray(value)) value.forEach((v, i) => unknownFields(v, array[1]!, `${at}[${i}]`, out));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value === 'object')
      for (const [k, v] of Object.entries(value as object)) unknownFields(v, map[1]!, `${at}.${k}`, out);
    return;
  }
  const model = models[type];
  if (!model?.getAttributeTypeMap || typeof value !== 'object' || Array.isArray(value)) return;
  const fields = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  for (const [k, v] of Object.entries(value as object)) {
    const t = fields.get(k);
    if (t === undefined) out.push(`${at}.${k}: unknown field (not in ${type})`);
    else unknownFields(v, t, `${at}.${k}`, out);
  }
}

/** Problems of one object, as `path: what` lines; empty when the API server would accept it. */
export async function schemaProblems(o: KubeObject): Promise<string[]> {
  if (!o.apiVersion || !o.kind) return ['apiVersion and kind are required'];
  let mod: Record<string, (new (data: unknown) => { validate(): void }) | undefined>;
  try {
    mod = (await import(`kubernetes-models/${o.apiVersion}`)) as typeof mod;
  } catch {
    return [`no schema for apiVersion ${o.apiVersion} (not a built-in Kubernetes API)`];
  }
  const Kind = mod[o.kind];
  if (!Kind) return [`${o.apiVersion} has no kind ${o.kind}`];
  const out: string[] = [];
  try {
    new Kind(o).validate();
  } catch (err) {
    out.push(...(err as Error).message.split(', ').map((m) => m.replace(/^data/, o.kind!)));
  }
  const model = modelOf(o.apiVersion, o.kind);
  if (!model) out.push(`no field list for ${o.apiVersion} ${o.kind}`);
  else unknownFields(o, model, o.kind, out);
  return out;
}
