import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import type { Flags } from '../config/options.js';
import { IdentityError, isSolutionUser } from '../identity/identity-source.js';
import { userKey } from '../identity/user-name.js';
import { printList, UsageError, withAdminStore } from './admin-store.js';
import { pemCertificates } from './pem-files.js';

/** The certificate of `--cert FILE` (the first of a PEM bundle), parsed: base64 DER and the parsed form. */
function certificateOf(flags: Flags): { der: string; parsed: X509Certificate } {
  const file = flags.cert;
  if (typeof file !== 'string') throw new UsageError('solution-user add needs --cert FILE');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --cert ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const parsed = new X509Certificate(pemCertificates(text, '--cert', file)[0]!);
  return { der: parsed.raw.toString('base64'), parsed };
}

/**
 * `vapi-auth solution-user add|list|remove`: principals identified by an X.509 certificate, which get
 * tokens from the STS by a request signed with the certificate's key (identity.md §2). They live in
 * the local domain beside the users, so a name is either a user's or a solution user's; a role is
 * given by a permission, as for users.
 */
export async function solutionUserCommand(verb: string, args: string[], flags: Flags, env: NodeJS.ProcessEnv, out: NodeJS.WritableStream): Promise<void> {
  const [name = ''] = args;
  await withAdminStore(flags, env, 'solution-user commands', async ({ identity, access, audit }) => {
    switch (verb) {
      case 'add': {
        const certificate = certificateOf(flags);
        const granted = typeof flags.role === 'string' ? flags.role : undefined;
        if (granted !== undefined) {
          await access.role(granted).catch(() => {
            throw new UsageError(`unknown role "${granted}"`);
          });
        }
        if (await identity.find(name)) throw new IdentityError(`${name} exists already (a user or a solution user)`);
        const holder = await identity.findByCertificate(certificate.der);
        if (holder) throw new IdentityError(`the certificate belongs to ${holder.name}@${holder.domain.toUpperCase()} already`);
        if (!(await identity.addSolutionUser(name, certificate.der))) throw new IdentityError(`${name} or its certificate is registered already`);
        if (granted !== undefined) await access.grant(name, granted);
        audit.record({ event: 'solution_user.added', user: name, ...(granted !== undefined ? { target: granted } : {}) });
        const added = await identity.find(name);
        out.write(`Added solution user ${added!.name}@${added!.domain.toUpperCase()} (${granted ?? 'no permission'}; certificate ${certificate.parsed.subject.replace(/\n/g, ', ')}, valid until ${new Date(certificate.parsed.validTo).toISOString()})\n`);
        return;
      }
      case 'list': {
        const roles = new Map((await access.permissions()).filter((p) => !p.group).map((p) => [p.principal, p.role]));
        const users = (await identity.listSolutionUsers()).map((user) => {
          const certificate = new X509Certificate(Buffer.from(user.certificate, 'base64'));
          return {
            user: `${user.name}@${user.domain.toUpperCase()}`,
            role: roles.get(userKey(user)) ?? null,
            subject: certificate.subject.replace(/\n/g, ', '),
            fingerprint: certificate.fingerprint256,
            valid_until: new Date(certificate.validTo).toISOString(),
          };
        });
        printList(out, flags, users, (user) => `${user.user}\t${user.role ?? '(no permission)'}\t${user.subject}\t${user.fingerprint}\t${user.valid_until}`);
        return;
      }
      case 'remove': {
        const found = await identity.find(name);
        if (!found || !isSolutionUser(found)) throw new IdentityError(`no solution user ${name}`);
        await identity.remove(name);
        await access.revoke(name);
        audit.record({ event: 'solution_user.removed', user: name });
        out.write(`Removed solution user ${name}; its sessions end with it and the STS refuses its certificate\n`);
        return;
      }
    }
  });
}
