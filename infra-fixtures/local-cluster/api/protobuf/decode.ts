/**
 * Decodes `application/vnd.kubernetes.protobuf` request bodies into the JSON the rest of the server
 * speaks. kubectl's typed clients (`kubectl create deployment`, `create namespace`, `autoscale`, …)
 * send protobuf and never fall back to JSON, so without this those commands fail with 415.
 *
 * The body is the 4-byte magic `k8s\0` followed by a runtime.Unknown envelope carrying the
 * apiVersion/kind and the raw message. Zero values are dropped (Go's JSON omits them) except for
 * pointer fields, where zero is meaningful.
 */
import { errors } from '../../store/errors.ts';
import type { KubeObject } from '../../store/types.ts';
import { fieldSpec, kMessages, kTopLevel, type FieldSpec } from './schema.ts';
import { Reader, toSigned, WireError } from './wire.ts';

const kMagic = [0x6b, 0x38, 0x73, 0x00];
const kUtf8 = new TextDecoder('utf-8', { fatal: false });

type Json = unknown;

class Unsupported extends Error {}

/** True when a raw field value carries nothing: 0, "", or a message made only of such values. */
function isZeroRaw(wire: number, value: bigint | Uint8Array): boolean {
  if (wire === 0) return value === 0n;
  if (wire === 1 || wire === 5) return (value as Uint8Array).every((b) => b === 0);
  const bytes = value as Uint8Array;
  if (!bytes.length) return true;
  try {
    const r = new Reader(bytes);
    while (!r.done) {
      const { wire: w } = r.tag();
      const v = readRaw(r, w);
      if (!isZeroRaw(w, v)) return false;
    }
    return true;
  } catch {
    return false;
  }
}

function readRaw(r: Reader, wire: number): bigint | Uint8Array {
  switch (wire) {
    case 0:
      return r.varint();
    case 1:
      return r.fixed(8);
    case 2:
      return r.bytes();
    case 5:
      return r.fixed(4);
    default:
      throw new WireError(`unsupported wire type ${wire}`);
  }
}

function decodeMapEntry(bytes: Uint8Array, valueKind: string): [string, Json] {
  const r = new Reader(bytes);
  let key = '';
  let value: Json = valueKind === 'mapBytes' ? '' : '';
  while (!r.done) {
    const { field, wire } = r.tag();
    const raw = readRaw(r, wire);
    if (field === 1) key = kUtf8.decode(raw as Uint8Array);
    else if (field === 2) {
      if (valueKind === 'map') value = kUtf8.decode(raw as Uint8Array);
      else if (valueKind === 'mapBytes') value = Buffer.from(raw as Uint8Array).toString('base64');
      else value = decodeQuantity(raw as Uint8Array);
    }
  }
  return [key, value];
}

function decodeQuantity(bytes: Uint8Array): string {
  const r = new Reader(bytes);
  let s = '';
  while (!r.done) {
    const { field, wire } = r.tag();
    const raw = readRaw(r, wire);
    if (field === 1) s = kUtf8.decode(raw as Uint8Array);
  }
  return s;
}

function decodeTime(bytes: Uint8Array): string | undefined {
  const r = new Reader(bytes);
  let seconds = 0;
  while (!r.done) {
    const { field, wire } = r.tag();
    const raw = readRaw(r, wire);
    if (field === 1) seconds = toSigned(raw as bigint);
  }
  return seconds === 0 ? undefined : new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function decodeIntOrString(bytes: Uint8Array): number | string {
  const r = new Reader(bytes);
  let type = 0;
  let intVal = 0;
  let strVal = '';
  while (!r.done) {
    const { field, wire } = r.tag();
    const raw = readRaw(r, wire);
    if (field === 1) type = toSigned(raw as bigint);
    else if (field === 2) intVal = toSigned(raw as bigint);
    else if (field === 3) strVal = kUtf8.decode(raw as Uint8Array);
  }
  return type === 1 ? strVal : intVal;
}

function decodeValue(spec: FieldSpec, wire: number, raw: bigint | Uint8Array): Json {
  const expectBytes = (): Uint8Array => {
    if (!(raw instanceof Uint8Array) || wire !== 2)
      throw new WireError(`field ${spec.name} has wire type ${wire}`);
    return raw;
  };
  switch (spec.kind) {
    case 'str':
      return kUtf8.decode(expectBytes());
    case 'int':
      if (typeof raw !== 'bigint') throw new WireError(`field ${spec.name} is not a varint`);
      return toSigned(raw);
    case 'bool':
      if (typeof raw !== 'bigint') throw new WireError(`field ${spec.name} is not a varint`);
      return raw !== 0n;
    case 'bytes':
      return Buffer.from(expectBytes()).toString('base64');
    case 'time':
      return decodeTime(expectBytes());
    case 'qty':
      return decodeQuantity(expectBytes());
    case 'ios':
      return decodeIntOrString(expectBytes());
    default:
      return decodeMessage(expectBytes(), spec.kind);
  }
}

function isZero(v: Json): boolean {
  if (v === undefined || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && v !== null && Object.keys(v).length === 0;
}

function decodeMessage(bytes: Uint8Array, type: string): Record<string, Json> {
  const schema = kMessages[type];
  if (!schema) throw new Error(`protobuf schema: unknown message ${type}`);
  const out: Record<string, Json> = {};
  const keep = new Set<string>();
  const r = new Reader(bytes);
  while (!r.done) {
    const { field, wire } = r.tag();
    const raw = readRaw(r, wire);
    const text = schema[field];
    if (!text) {
      if (!isZeroRaw(wire, raw)) throw new Unsupported(`${type} field ${field}`);
      continue;
    }
    const spec = fieldSpec(text);
    if (spec.kind === 'map' || spec.kind === 'mapBytes' || spec.kind === 'mapQty') {
      const [k, v] = decodeMapEntry(raw as Uint8Array, spec.kind);
      out[spec.name] = { ...((out[spec.name] as object) ?? {}), [k]: v };
      continue;
    }
    const value = decodeValue(spec, wire, raw);
    if (spec.name === '...') {
      Object.assign(out, value);
      continue;
    }
    if (spec.repeated) out[spec.name] = [...((out[spec.name] as Json[]) ?? []), value];
    else out[spec.name] = value;
    if (spec.keepZero) keep.add(spec.name);
  }
  for (const [k, v] of Object.entries(out)) if (isZero(v) && !keep.has(k)) delete out[k];
  return out;
}

export function isProtobuf(body: Uint8Array): boolean {
  return body.length >= 4 && kMagic.every((b, i) => body[i] === b);
}

/** The JSON object a protobuf body encodes; 415 for kinds outside the table, 400 for broken bodies. */
export function decodeProtobufObject(body: Uint8Array): KubeObject {
  if (!isProtobuf(body)) throw errors.badRequest('protobuf body without the k8s\\0 prefix');
  let envelope: Record<string, Json>;
  try {
    envelope = decodeMessage(body.subarray(4), 'Unknown');
  } catch (err) {
    throw errors.badRequest(`protobuf body could not be decoded: ${(err as Error).message}`);
  }
  const typeMeta = (envelope.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const key = `${typeMeta.apiVersion ?? ''}/${typeMeta.kind ?? ''}`;
  const message = kTopLevel[key];
  if (!message) {
    throw errors.unsupportedMediaType(`application/vnd.kubernetes.protobuf (${key})`, [
      'application/json',
      'application/yaml',
    ]);
  }
  const raw = Buffer.from(String(envelope.raw ?? ''), 'base64');
  try {
    return {
      ...decodeMessage(raw, message),
      apiVersion: typeMeta.apiVersion!,
      kind: typeMeta.kind!,
    } as KubeObject;
  } catch (err) {
    if (err instanceof Unsupported) {
      throw errors.unsupportedMediaType(
        `application/vnd.kubernetes.protobuf (${key}: ${err.message} is not decoded by the local cluster; send JSON, e.g. kubectl apply -f)`,
        ['application/json', 'application/yaml'],
      );
    }
    throw errors.badRequest(`protobuf ${key} could not be decoded: ${(err as Error).message}`);
  }
}
