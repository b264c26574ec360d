// Package govmomitest holds what the Go programs of the govmomi tests share: failing with a message,
// a vim25 client trusting the server's certificate, a key pair of the client's own, and a /rest
// login with a token. The tests put test/govmomi/gopath on GOPATH beside Debian's sources.
package govmomitest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/vmware/govmomi/sts"
	"github.com/vmware/govmomi/vapi/rest"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"
)

// Fail prints the reason on stderr and exits 1: the test sees the program fail.
func Fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

// Client is a vim25 client for the server at endpoint, trusting the certificate in caFile.
// It is built by hand around a soap.Client, so nothing is sent to /sdk.
func Client(endpoint *url.URL, caFile string) *vim25.Client {
	sc := soap.NewClient(endpoint, false)
	if err := sc.SetRootCAs(caFile); err != nil {
		Fail("trusting %s: %v", caFile, err)
	}
	return &vim25.Client{Client: sc}
}

// KeyPair is a new self-signed RSA key pair named commonName, valid for the hour around now.
func KeyPair(commonName string) *tls.Certificate {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		Fail("key: %v", err)
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: commonName},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		Fail("certificate: %v", err)
	}
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// LoginWith logs in to /rest with a token (rest.Client.LoginByToken and govmomi's signer), checks
// that the session is user's, prints "ok KIND session USER" and logs out.
func LoginWith(ctx context.Context, vc *vim25.Client, signer *sts.Signer, user, kind string) {
	c := rest.NewClient(vc)
	if err := c.LoginByToken(c.WithSigner(ctx, signer)); err != nil {
		Fail("login by %s token: %v", kind, err)
	}
	s, err := c.Session(ctx)
	if err != nil || s == nil || !strings.EqualFold(s.User, user) {
		Fail("%s session: %+v %v", kind, s, err)
	}
	fmt.Printf("ok %s session %s\n", kind, s.User)
	if err := c.Logout(ctx); err != nil {
		Fail("logout: %v", err)
	}
}
