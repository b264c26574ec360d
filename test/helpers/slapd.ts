import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, stopSupervised } from './processes.js';

export const SLAPD_MISSING = 'slapd is not installed (apt-get install slapd ldap-utils; .ci/run does)';
const SLAPD = ['/usr/sbin/slapd', 'slapd'].find((path) => path === 'slapd' || existsSync(path))!;

/** Whether slapd and ldapmodify are installed. In CI their absence is a failure, not a skip. */
export function slapdAvailable(): boolean {
  const found = spawnSync(SLAPD, ['-VV']).status === 0 && spawnSync('ldapmodify', ['-VV']).status === 0;
  if (!found && process.env.CI) throw new Error(SLAPD_MISSING);
  return found;
}

export const BASE_DN = 'dc=example,dc=com';
export const SERVICE_DN = `cn=vapi,ou=services,${BASE_DN}`;
export const SERVICE_PASSWORD = 'Serv1ce pass';
const ROOT_DN = `cn=admin,${BASE_DN}`;
const ROOT_PASSWORD = 'r00t-only-for-the-test';

/** The test directory: users (password `<name>-Pa55`), groups with a nested one, and the service account. */
export const USERS = ['ann', 'bob', 'carol', 'dave'] as const;
export const passwordOf = (user: string) => `${user}-Pa55`;

const DATA = `dn: ${BASE_DN}
objectClass: dcObject
objectClass: organization
dc: example
o: Example

dn: ou=people,${BASE_DN}
objectClass: organizationalUnit
ou: people

dn: ou=groups,${BASE_DN}
objectClass: organizationalUnit
ou: groups

dn: ou=services,${BASE_DN}
objectClass: organizationalUnit
ou: services

dn: ${SERVICE_DN}
objectClass: person
cn: vapi
sn: service
userPassword: ${SERVICE_PASSWORD}

${USERS.map(
  (user) => `dn: uid=${user},ou=people,${BASE_DN}
objectClass: inetOrgPerson
uid: ${user}
cn: ${user}
sn: ${user}
userPassword: ${passwordOf(user)}
`,
).join('\n')}
dn: cn=Admins,ou=groups,${BASE_DN}
objectClass: groupOfNames
cn: Admins
member: uid=ann,ou=people,${BASE_DN}
member: uid=dave,ou=people,${BASE_DN}

dn: cn=Operators,ou=groups,${BASE_DN}
objectClass: groupOfNames
cn: Operators
member: uid=bob,ou=people,${BASE_DN}

dn: cn=Platform,ou=groups,${BASE_DN}
objectClass: groupOfNames
cn: Platform
member: cn=Operators,ou=groups,${BASE_DN}
`;

function config(dir: string): string {
  return `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
pidfile ${dir}/slapd.pid
TLSCACertificateFile ${dir}/ca.pem
TLSCertificateFile ${dir}/server.pem
TLSCertificateKeyFile ${dir}/server.key
database mdb
maxsize 10485760
suffix "${BASE_DN}"
rootdn "${ROOT_DN}"
rootpw ${ROOT_PASSWORD}
directory ${dir}/db
overlay memberof
memberof-group-oc groupOfNames
memberof-member-ad member
memberof-memberof-ad memberOf
memberof-refint TRUE
access to attrs=userPassword by self =xw by anonymous auth by * none
access to * by dn.exact="${SERVICE_DN}" read by * none
`;
}

/** A CA and a server certificate for 127.0.0.1 and localhost, made with openssl. */
function makeCertificates(dir: string): void {
  const run = (args: string[]) => {
    const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
  };
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=vapi-auth test CA']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext']);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface SlapdProcess {
  /** `ldap://127.0.0.1:PORT` (StartTLS offered) and `ldaps://127.0.0.1:PORT`. */
  ldapUrl: string;
  ldapsUrl: string;
  /** The CA that signed the server's certificate (PEM file). */
  caFile: string;
  /** A directory for the test's files (sources file, bind password), removed with the server. */
  dir: string;
  /** Stops slapd (SIGTERM); `start()` brings it back on the same ports with the same data. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Freezes (SIGSTOP) and thaws (SIGCONT) slapd: connections open but nothing is answered. */
  freeze(): void;
  thaw(): void;
  /** Applies an LDIF change as the directory's root (the memberOf overlay keeps memberOf current). */
  modify(ldif: string): void;
  destroy(): Promise<void>;
}

/** A real slapd on two free ports of 127.0.0.1, with a generated configuration, certificate and data. */
export async function startSlapd(): Promise<SlapdProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'vapi-auth-slapd-'));
  mkdirSync(join(dir, 'db'));
  makeCertificates(dir);
  writeFileSync(join(dir, 'slapd.conf'), config(dir));
  const [ldapPort, ldapsPort] = [await freePort(), await freePort()];
  const ldapUrl = `ldap://127.0.0.1:${ldapPort}`;
  const ldapsUrl = `ldaps://127.0.0.1:${ldapsPort}`;
  let child: ChildProcess | undefined;
  let pid: number | undefined;

  // slapd runs in the foreground (-d) under a shell that stops it when its stdin closes: when the
  // test process ends, however it ends, the server ends with it.
  const supervised = '"$0" "$@" & pid=$!; echo "pid $pid"; read _; kill $pid; wait $pid';
  const start = async () => {
    const proc = spawn('sh', ['-c', supervised, SLAPD, '-f', join(dir, 'slapd.conf'), '-h', `${ldapUrl}/ ${ldapsUrl}/`, '-d', '0'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child = proc;
    let out = '';
    proc.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      pid ??= Number(out.match(/pid (\d+)/)?.[1]) || undefined;
    });
    proc.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    // Ready once it accepts connections and its pid is known (freeze and thaw signal it).
    const ready = async () => pid !== undefined && (await accepts(ldapPort));
    for (let i = 0; i < 200 && !(await ready()); i++) {
      if (proc.exitCode !== null) throw new Error(`slapd exited with ${proc.exitCode}: ${out}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (!(await ready())) throw new Error(`slapd did not start: ${out}`);
  };
  const stop = () => stopSupervised(child);
  const modify = (ldif: string) => {
    const result = spawnSync('ldapmodify', ['-x', '-H', ldapUrl, '-D', ROOT_DN, '-w', ROOT_PASSWORD, '-c'], { input: ldif, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`ldapmodify failed: ${result.stderr}`);
  };
  const signal = (name: NodeJS.Signals) => {
    if (pid === undefined) throw new Error('slapd is not running');
    process.kill(pid, name);
  };

  await start();
  modify(DATA.split('\n\n').map((entry) => entry.trim().replace(/^(dn: .*)$/m, '$1\nchangetype: add')).join('\n\n'));
  return {
    ldapUrl,
    ldapsUrl,
    caFile: join(dir, 'ca.pem'),
    dir,
    stop: async () => {
      pid = undefined;
      await stop();
    },
    start,
    freeze: () => signal('SIGSTOP'),
    thaw: () => signal('SIGCONT'),
    modify,
    async destroy() {
      if (pid !== undefined) signal('SIGCONT');
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface SourceOptions {
  /** The source's URLs; the slapd's `ldap://` URL by default. */
  urls?: string[];
  startTls?: boolean;
  /** Further YAML lines of the source (indented by the caller's 4 spaces). */
  extra?: string[];
  defaultDomain?: string;
}

/**
 * An identity sources file for the test directory (`example.com`, alias `EXAMPLE`, the openldap
 * preset, short timeouts), written into the slapd's dir beside its bind password file.
 */
export function sourcesFileFor(slapd: SlapdProcess, options: SourceOptions = {}): { text: string; file: string } {
  writeFileSync(join(slapd.dir, 'bind-password'), `${SERVICE_PASSWORD}\n`);
  const urls = options.urls ?? [slapd.ldapUrl];
  const text = [
    ...(options.defaultDomain ? [`defaultDomain: ${options.defaultDomain}`] : []),
    'sources:',
    '  - type: ldap',
    '    domain: example.com',
    '    alias: EXAMPLE',
    '    preset: openldap',
    `    url: [${urls.join(', ')}]`,
    `    startTls: ${options.startTls ?? false}`,
    '    caFile: ca.pem',
    `    bindDn: ${SERVICE_DN}`,
    '    bindPasswordFile: bind-password',
    `    userBaseDn: ou=people,${BASE_DN}`,
    `    groupBaseDn: ou=groups,${BASE_DN}`,
    '    connectTimeout: 2s',
    '    timeout: 2s',
    '    retryInterval: 10s',
    ...(options.extra ?? []).map((line) => `    ${line}`),
  ].join('\n');
  const file = join(slapd.dir, 'identity-sources.yaml');
  writeFileSync(file, text);
  return { text, file };
}
