// The SAML single sign-on flow with govmomi's own packages: find the STS through the lookup
// service, Issue a bearer token and a holder-of-key token with a user name and password, log in to
// the /rest dialect with each (rest.Client.LoginByToken and govmomi's signer), read the session,
// log out.
//
// Usage: go run main.go URL USER PASSWORD CA_FILE
package main

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

	"github.com/vmware/govmomi/lookup"
	"github.com/vmware/govmomi/lookup/types"
	"github.com/vmware/govmomi/sts"
	"github.com/vmware/govmomi/vapi/rest"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

// holderCertificate is the client's own key pair, to which a holder-of-key token is bound.
func holderCertificate() *tls.Certificate {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		fail("key: %v", err)
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "govmomi-holder"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		fail("certificate: %v", err)
	}
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// loginWith logs in to /rest with a token, reads the session and logs out.
func loginWith(ctx context.Context, vc *vim25.Client, signer *sts.Signer, user, kind string) {
	c := rest.NewClient(vc)
	if err := c.LoginByToken(c.WithSigner(ctx, signer)); err != nil {
		fail("login by %s token: %v", kind, err)
	}
	s, err := c.Session(ctx)
	if err != nil || s == nil || !strings.EqualFold(s.User, user) {
		fail("session: %+v %v", s, err)
	}
	fmt.Printf("ok %s session %s\n", kind, s.User)
	if err := c.Logout(ctx); err != nil {
		fail("logout: %v", err)
	}
}

func main() {
	if len(os.Args) != 5 {
		fail("usage: main URL USER PASSWORD CA_FILE")
	}
	endpoint, err := url.Parse(os.Args[1])
	if err != nil {
		fail("url: %v", err)
	}
	user, password, caFile := os.Args[2], os.Args[3], os.Args[4]
	ctx := context.Background()

	sc := soap.NewClient(endpoint, false)
	if err := sc.SetRootCAs(caFile); err != nil {
		fail("trusting %s: %v", caFile, err)
	}
	vc := &vim25.Client{Client: sc}

	lu, err := lookup.NewClient(ctx, vc)
	if err != nil {
		fail("lookup service: %v", err)
	}
	found, err := lu.List(ctx, &types.LookupServiceRegistrationFilter{
		ServiceType:  &types.LookupServiceRegistrationServiceType{Product: "com.vmware.cis", Type: "cs.identity"},
		EndpointType: &types.LookupServiceRegistrationEndpointType{Protocol: "wsTrust", Type: "com.vmware.cis.cs.identity.sso"},
	})
	if err != nil || len(found) != 1 || !strings.HasSuffix(found[0].ServiceEndpoints[0].Url, "/sts/STSService/vsphere.local") {
		fail("STS registration: %+v %v", found, err)
	}
	fmt.Println("ok lookup")

	stsClient, err := sts.NewClient(ctx, vc)
	if err != nil {
		fail("sts client: %v", err)
	}
	signer, err := stsClient.Issue(ctx, sts.TokenRequest{
		Userinfo:    url.UserPassword(user, password),
		Lifetime:    10 * time.Minute,
		Delegatable: true,
	})
	if err != nil || signer.Token == "" {
		fail("issue: %v", err)
	}
	fmt.Println("ok issue bearer")

	if _, err := stsClient.Issue(ctx, sts.TokenRequest{Userinfo: url.UserPassword(user, password+"-wrong"), Lifetime: time.Minute}); err == nil {
		fail("a wrong password got a token")
	}
	fmt.Println("ok wrong password refused")

	loginWith(ctx, vc, signer, user, "bearer")

	hok, err := stsClient.Issue(ctx, sts.TokenRequest{
		Userinfo:    url.UserPassword(user, password),
		Certificate: holderCertificate(),
		Lifetime:    10 * time.Minute,
		Delegatable: true,
		Renewable:   true,
	})
	if err != nil || !strings.Contains(hok.Token, "holder-of-key") {
		fail("issue holder-of-key: %v", err)
	}
	fmt.Println("ok issue holder-of-key")
	loginWith(ctx, vc, hok, user, "holder-of-key")

	renewed, err := stsClient.Renew(ctx, sts.TokenRequest{Token: hok.Token, Certificate: hok.Certificate, Lifetime: 20 * time.Minute})
	if err != nil {
		fail("renew: %v", err)
	}
	if lifetime := renewed.Lifetime.Expires.Sub(renewed.Lifetime.Created); lifetime < 19*time.Minute || lifetime > 20*time.Minute || renewed.Token == hok.Token {
		fail("renewed token: lifetime %s", lifetime)
	}
	fmt.Println("ok renew holder-of-key")
	loginWith(ctx, vc, renewed, user, "renewed holder-of-key")

	// Renewing takes the holder's key: another key pair cannot renew the token.
	if _, err := stsClient.Renew(ctx, sts.TokenRequest{Token: hok.Token, Certificate: holderCertificate(), Lifetime: 20 * time.Minute}); err == nil {
		fail("a token was renewed by a key it is not bound to")
	}
	fmt.Println("ok renew refused without the holder's key")

	// The token without the key: a bearer-style SIGN header with a holder-of-key token is refused.
	stolen := *hok
	stolen.Certificate = nil
	c := rest.NewClient(vc)
	if err := c.LoginByToken(c.WithSigner(ctx, &stolen)); err == nil {
		fail("a holder-of-key token was accepted without the holder's signature")
	}
	fmt.Println("ok holder-of-key token refused without its key")
}
