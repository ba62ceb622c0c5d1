/**
 * The PKI OVS's build makes for its SSL tests (tests/automake.mk, tests/pki/stamp):
 * `ovs-pki init`, then `req+sign` of "test" and "test2" with the switch CA. The .at file
 * calls them $PKIDIR/testpki-{privkey,cert}[2].pem and testpki-cacert.pem.
 */
import { OvsPki } from '../../support/ovs-pki';

export interface TestPkiFiles {
  /** testpki-privkey.pem, testpki-cert.pem: the client's (test-ovsdb's) key and certificate. */
  privkey: string;
  cert: string;
  /** testpki-privkey2.pem, testpki-cert2.pem: the server's. */
  privkey2: string;
  cert2: string;
  /** testpki-cacert.pem */
  cacert: string;
}

/** Made once on first use (ovs-pki init takes a few seconds) and removed by dispose(). */
export class TestPki {
  private made: Promise<{ pki: OvsPki; files: TestPkiFiles }> | undefined;

  files(): Promise<TestPkiFiles> {
    this.made ??= (async () => {
      const pki = await OvsPki.create();
      try {
        const test = await pki.issue('test');
        const test2 = await pki.issue('test2');
        return { pki, files: { privkey: test.privateKey, cert: test.certificate, privkey2: test2.privateKey, cert2: test2.certificate, cacert: pki.caCert } };
      } catch (error) {
        pki.dispose();
        throw error;
      }
    })();
    return this.made.then(({ files }) => files);
  }

  async dispose(): Promise<void> {
    const made = this.made;
    this.made = undefined;
    if (made) (await made.catch(() => undefined))?.pki.dispose();
  }
}
