/**
 * Pod IPs from the node's pod CIDR (a /24 on 127/8, all of which is loopback on Linux, so every
 * pod binds its own address without any network setup). Addresses are handed out round the
 * range rather than lowest-free, so a replacement pod does not inherit a dead pod's IP while
 * proxies may still hold it.
 */
import { KubeletError } from './errors.ts';

const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Node 127.0.X.Y → pod CIDR 127.X.Y.0/24 (node 127.0.1.3 → pods 127.1.3.k). */
export function defaultPodCIDR(nodeAddress: string): string {
  const m = ipv4.exec(nodeAddress);
  if (!m || m[1] !== '127' || m[2] !== '0' || Number(m[3]) < 1) {
    throw new KubeletError(
      'Invalid',
      `node.address ${nodeAddress} must be 127.0.X.Y with X ≥ 1 to derive a pod CIDR; or give node.podCIDR (127.A.B.0/24)`,
    );
  }
  return `127.${m[3]}.${m[4]}.0/24`;
}

export class PodIPAllocator {
  private readonly prefix: string;
  private readonly inUse = new Set<string>();
  private next = 2;

  constructor(readonly cidr: string) {
    const m = /^(127\.\d{1,3}\.\d{1,3})\.0\/24$/.exec(cidr);
    if (!m)
      throw new KubeletError('Invalid', `node.podCIDR ${cidr} must be a loopback /24 such as 127.1.3.0/24`);
    this.prefix = m[1] as string;
  }

  contains(ip: string): boolean {
    const last = ip.startsWith(`${this.prefix}.`) ? Number(ip.slice(this.prefix.length + 1)) : NaN;
    return Number.isInteger(last) && last >= 1 && last <= 254;
  }

  /** Claims `preferred` when it is in range and free (a pod that already had an IP), else the next free one. */
  allocate(preferred?: string): string {
    if (preferred && this.contains(preferred) && !this.inUse.has(preferred)) {
      this.inUse.add(preferred);
      return preferred;
    }
    for (let i = 0; i < 253; i++) {
      const ip = `${this.prefix}.${this.next}`;
      this.next = this.next >= 254 ? 2 : this.next + 1;
      if (!this.inUse.has(ip)) {
        this.inUse.add(ip);
        return ip;
      }
    }
    throw new KubeletError('Conflict', `pod CIDR ${this.cidr} is exhausted (253 pods)`);
  }

  release(ip: string): void {
    this.inUse.delete(ip);
  }
}
