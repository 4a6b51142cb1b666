/**
 * A throwaway CA and a server certificate for 127.0.0.1/localhost, made at every start, so clients
 * verify TLS against `certificate-authority-data` (client-node refuses plain http, spec G4).
 */
import { generate } from 'selfsigned';

export interface ServerCerts {
  caPem: string;
  certPem: string;
  keyPem: string;
}

export async function generateServerCerts(host: string): Promise<ServerCerts> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(Date.now() + 365 * 24 * 3600_000);
  const ca = await generate([{ name: 'commonName', value: 'gauntlet-local-ca' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const altNames: Array<{ type: 2 | 7; value?: string; ip?: string }> = [
    { type: 2, value: 'localhost' },
    { type: 7, ip: '127.0.0.1' },
    { type: 7, ip: '::1' },
  ];
  if (/^[\d.]+$/.test(host) && host !== '127.0.0.1') altNames.push({ type: 7, ip: host });
  else if (!/^[\d.:]+$/.test(host) && host !== 'localhost') altNames.push({ type: 2, value: host });
  const server = await generate([{ name: 'commonName', value: 'kube-apiserver' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { caPem: ca.cert, certPem: server.cert, keyPem: server.private };
}
