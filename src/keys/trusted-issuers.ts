import type { ClusterKeys } from './cluster-keys.js';
import type { AssertionPolicy } from '../saml/verify-assertion.js';

/** What a SAML token is checked against besides its issuer. */
export type AssertionChecks = Omit<AssertionPolicy, 'trustedCertificates'>;

/**
 * The SAML token issuers this server trusts: the STS of every node of the cluster (each node's
 * published certificates, current and retired while their tokens live, none once withdrawn), and
 * the configured further issuers (`--trusted-sts-certs`).
 */
export class TrustedIssuers {
  constructor(
    private readonly cluster: ClusterKeys,
    private readonly configured: readonly string[],
  ) {}

  /** The policy to verify a token with at `now`: `checks`, and every trusted issuer or the cluster's own STS only. */
  async policy(checks: AssertionChecks, now: number, issuers: 'all' | 'cluster' = 'all'): Promise<AssertionPolicy> {
    const own = (await this.cluster.trusted('sts', now)).map((key) => key.material);
    return { ...checks, trustedCertificates: issuers === 'all' ? [...own, ...this.configured] : own };
  }
}
